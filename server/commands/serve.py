"""Serve the SPARQL endpoint, linked data and web pages with gunicorn.

One gunicorn worker process holds the embedded store read-write (pyoxigraph allows one
writing process) and answers with `--threads` request threads; each query runs in a
worker process forked from it (``server.pool``), so a slow query is stopped at the
timeout without stopping the server. `--load PATH...` loads documents first, then
serves. While the server runs, load through it:
`claimgraph load --server URL --token TOKEN PATH...`.
"""

from __future__ import annotations

import argparse
import gc
import sys
from typing import Any

from server.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--load",
        nargs="+",
        metavar="PATH",
        default=[],
        help="files or folders to load into the store before serving",
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="with --load: remove the graphs of documents no longer under those paths",
    )
    parser.add_argument(
        "--access-log",
        action="store_true",
        help="log every request to stderr (gunicorn's access log)",
    )


def gunicorn_options(settings: Settings, *, access_log: bool = False) -> dict[str, Any]:
    """gunicorn configuration derived from settings (one worker: the store's one writer)."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": settings.threads,
        # Worker heartbeat: gthread beats from its main loop, so long queries do not trip it.
        "timeout": max(60, int(settings.query_timeout * 2)),
        "graceful_timeout": 10,
        "limit_request_line": 8190,  # the most gunicorn allows; longer queries go by POST
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "preload_app": False,  # the worker, not the master, opens the store
        "control_socket_disable": True,  # no runtime control socket in the user's home
    }


def _preload(settings: Settings, paths: list[str], *, prune: bool = False) -> None:
    from loaders.ingest import load_paths
    from loaders.store import open_configured_store
    from server.cli import CommandError
    from server.commands.load import print_outcome

    store = open_configured_store(settings)
    report = load_paths(
        store,
        paths,
        base_iri=settings.base_iri,
        progress=sys.stderr.isatty(),
        on_outcome=print_outcome,
        max_document_bytes=settings.max_document_bytes,
        prune=prune,
    )
    store.flush()
    print(report.summary(), file=sys.stderr)
    del store
    gc.collect()  # release the store's lock before the worker opens it
    if not report.ok:
        raise CommandError("some documents failed to load (listed above); not serving")


def frozen_heap(app: Any) -> Any:
    """Move everything alive once the app is built out of the collector's reach.

    Queries run in forked processes that share the server's memory copy-on-write. A
    full collection in the server walks, and so writes to, every tracked object, which
    would copy the whole heap page by page for every child then alive; frozen objects
    are never walked. What the app builds later (per request) is collected as usual.
    """
    gc.collect()
    gc.freeze()
    return app


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gunicorn.app.base import BaseApplication

    from server.app import create_app

    if args.prune and not args.load:
        from server.cli import CommandError

        raise CommandError("--prune needs --load PATH...")
    if args.load:
        _preload(settings, args.load, prune=args.prune)

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(settings, access_log=args.access_log).items():
                self.cfg.set(key, value)

        def load(self):
            return frozen_heap(create_app(settings))

    print(
        f"claimgraph: serving {settings.store} at http://{settings.host}:{settings.port}/sparql",
        file=sys.stderr,
    )
    Application().run()
    return 0
