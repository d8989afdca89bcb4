"""Load documents (text, Markdown, HTML, PDF; files or folders) into the store.

Folders load recursively and incrementally: a document whose bytes, given metadata and
loader version are unchanged is skipped; a changed one has its graph replaced in one
transaction; with `--prune`, documents whose files are gone are removed. One line per
file, then a summary; exit status 1 if any file failed.
With `--server URL --token T` the documents are posted to a running server instead
(`POST URL/api/documents`), which is the way to load while `claimgraph serve` holds
the store.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from pathlib import PurePath

from loaders.ingest import FileOutcome, LoadReport, Source, expand_paths, load_paths
from server.settings import Settings

# Seconds to wait for the server to load one document (extraction of a large one is slow).
POST_TIMEOUT = 600.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to load")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes that extract documents while this one writes (0: none; "
        "default: cores - 1, at most 2)",
    )
    parser.add_argument(
        "--force", action="store_true", help="reload documents even when they are unchanged"
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="afterwards remove the graphs of documents not found under PATH (the store then "
        "holds exactly these documents); skipped if any file failed",
    )
    parser.add_argument(
        "--server", metavar="URL", help="post the documents to this running claimgraph server"
    )
    parser.add_argument(
        "--token",
        metavar="TOKEN",
        help="the server's write token, for --server (default: the write_token setting)",
    )


def print_outcome(outcome: FileOutcome) -> None:
    stream = sys.stderr if outcome.status == "failed" else sys.stdout
    print(outcome.line(), file=stream, flush=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from server.cli import CommandError

    if args.workers is not None and args.workers < 0:
        raise CommandError("--workers must be 0 (extract in this process) or more")
    if args.server:
        if args.prune:
            raise CommandError("--prune works on the store itself, not through --server")
        token = args.token or settings.write_token
        if not token:
            raise CommandError("--server needs --token (the server's write token)")
        report = post_paths(
            args.server, token, args.paths, settings.max_document_bytes, timeout=POST_TIMEOUT
        )
    else:
        if args.token:
            raise CommandError("--token is only used with --server URL")
        from loaders.store import open_configured_store  # StoreLockedError says what to do instead

        store = open_configured_store(settings)
        progress = sys.stderr.isatty() if args.progress is None else args.progress
        report = load_paths(
            store,
            args.paths,
            base_iri=settings.base_iri,
            workers=args.workers,
            progress=progress,
            on_outcome=print_outcome,
            max_document_bytes=settings.max_document_bytes,
            force=args.force,
            prune=args.prune,
        )
        store.flush()
        for name, status in report.graphs.items():
            print(f"{'failed' if status.startswith('failed') else 'graph':<10} {name}: {status}")
    print(report.summary())
    return 0 if report.ok else 1


def _multipart(fields: Iterable[tuple[str, str | None, str, bytes]]) -> tuple[bytes, str]:
    """multipart/form-data body from (name, filename, content type, bytes) parts."""
    boundary = uuid.uuid4().hex
    body = bytearray()
    for name, filename, content_type, data in fields:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
            disposition += f'; filename="{quoted}"'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        body += f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


def post_document(
    server: str, token: str, source: Source, max_bytes: int, *, timeout: float
) -> FileOutcome:
    """POST one document to ``server``; a refused request raises CommandError.

    ``max_bytes`` spares uploading what is too large anyway; the server checks again.
    """
    from server.cli import CommandError

    try:
        data = source.read_bytes(max_bytes)
    except (OSError, ValueError) as exc:
        return FileOutcome(source.name, "failed", error=f"{source.name}: {exc}")
    body, content_type = _multipart(
        [
            ("file", PurePath(source.name).name, "application/octet-stream", data),
            ("metadata", None, "application/json", json.dumps(dict(source.metadata)).encode()),
        ]
    )
    request = urllib.request.Request(
        server.rstrip("/") + "/api/documents",
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            answer = json.load(exc)
        except ValueError:
            answer = {}
        if exc.code in (401, 403):
            raise CommandError(
                f"{server} refused the write ({exc.code}): {_message(answer)}; "
                "check --token (the server's write_token)"
            ) from None
        if exc.code not in (413, 422):
            raise CommandError(f"{server} answered {exc.code}: {_message(answer)}") from None
        if "documents" not in answer:
            problem = f"{source.name}: the server refused it ({exc.code}): {_message(answer)}"
            return FileOutcome(source.name, "failed", error=problem)
    except (urllib.error.URLError, OSError) as exc:
        raise CommandError(f"cannot reach {server}: {exc}") from None
    outcome = answer["documents"][0]
    error = outcome.get("error")
    return FileOutcome(
        source.name,
        outcome["status"],
        outcome.get("doc_id"),
        outcome.get("triples", 0),
        error.replace(outcome["name"], source.name, 1) if error else None,
    )


def _message(answer: object) -> str:
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error)
        if error:
            return str(error)
    return "no details"


def post_paths(
    server: str, token: str, paths: list[str], max_bytes: int, *, timeout: float
) -> LoadReport:
    """Post every document under ``paths`` to the server, one request each."""
    report = LoadReport()
    for item in expand_paths(paths):
        if isinstance(item, Source):
            item = post_document(server, token, item, max_bytes, timeout=timeout)
        report.outcomes.append(item)
        print_outcome(item)
    return report
