"""POST /api/documents behind a real HTTP server, by requests and by `claimgraph load --server`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from loaders.store import EmbeddedStore
from server.app import create_app
from server.cli import main
from server.load_api import BUILDER_CONFIG
from tests.test_ingest import PROVENANCE_TRIPLES, fake_builder

TOKEN = "s3cret-token"
# The production default: queries run in forked children while this process writes.
ISOLATION = "fork"
GRAPH = "https://w3id.org/claimgraph/graph/document/"


@pytest.fixture
def server(settings, store, live_server_factory):
    app = create_app(
        settings.replace(
            write_token=TOKEN,
            max_document_bytes=100_000,
            max_request_bytes=2_000,  # documents have their own, larger limit
            query_isolation=ISOLATION,
        ),
        store=store,
    )
    app.config[BUILDER_CONFIG] = fake_builder
    return live_server_factory(app)


def post(server, files, *, token: str | None = TOKEN, data=None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        server.url + "/api/documents", files=files, data=data, headers=headers, timeout=30
    )


def graphs(store: EmbeddedStore) -> set[str]:
    return {g.value for g in store.named_graphs()}


def test_post_loads_then_reports_unchanged(server, store) -> None:
    files = {"file": ("statement.txt", b"First line.\nSecond line.\n")}
    metadata = {"metadata": json.dumps({"url": "https://example.org/s", "language": "en"})}
    first = post(server, files, data=metadata)
    assert first.status_code == 200
    body = first.json()
    assert body["ok"] is True
    assert body["documents"] == [
        {
            "name": "statement.txt",
            "status": "loaded",
            "doc_id": "statement",
            "triples": 4 + PROVENANCE_TRIPLES + 1,  # +1: schema:url from the metadata
            "error": None,
        }
    ]
    url = next(
        iter(
            store.query(
                f"SELECT ?u WHERE {{ GRAPH <{GRAPH}statement> {{ "
                "?g <https://schema.org/url> ?u } }"
            )
        )
    )
    assert url["u"].value == "https://example.org/s"
    assert body["graphs"]["ontology"].startswith("loaded")
    assert body["graphs"]["reference"].startswith("loaded")
    again = post(server, files, data=metadata)
    assert again.json()["documents"][0]["status"] == "unchanged"
    assert again.json()["graphs"] == {}  # nothing loaded, nothing checked
    other = post(server, {"file": ("other.txt", b"Another statement.\n")})
    assert other.json()["graphs"] == {"reference": "present", "ontology": "present"}


def test_documents_larger_than_other_requests_are_accepted(server, store) -> None:
    text = b"A long statement line.\n" * 3_000  # 69,000 bytes: over max_request_bytes
    answer = post(server, {"file": ("long.txt", text)})
    assert answer.status_code == 200
    assert answer.json()["documents"][0]["triples"] == 2 + 3_000 + PROVENANCE_TRIPLES


def test_writes_need_the_token(server, store) -> None:
    files = {"file": ("a.txt", b"text\n")}
    missing = post(server, files, token=None)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = post(server, files, token="not-the-token")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "the bearer token is not this server's write token"
    assert graphs(store) == set()


def test_writes_disabled_without_a_configured_token(settings, store, live_server_factory) -> None:
    server = live_server_factory(create_app(settings, store=store))
    refused = post(server, {"file": ("a.txt", b"text\n")})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "writes-disabled"
    assert graphs(store) == set()


def test_client_mistakes_are_4xx_with_reasons(server, store) -> None:
    empty = post(server, {"file": ("empty.txt", b"")})
    assert empty.status_code == 422
    assert empty.json()["documents"][0]["error"] == "empty.txt: empty file (0 bytes)"
    no_file = post(server, {"other": ("a.txt", b"x")})
    assert no_file.status_code == 400
    assert no_file.json()["error"]["code"] == "missing-file"
    bad_meta = post(server, {"file": ("a.txt", b"x")}, data={"metadata": "{not json"})
    assert bad_meta.status_code == 400
    assert "not JSON" in bad_meta.json()["error"]["message"]
    unknown_key = post(server, {"file": ("a.txt", b"x")}, data={"metadata": '{"autor": "X"}'})
    assert unknown_key.status_code == 422
    assert "unknown metadata key(s) autor" in unknown_key.json()["documents"][0]["error"]
    too_big = post(server, {"file": ("big.txt", b"x" * 300_000)})
    assert too_big.status_code == 413
    assert graphs(store) == set()


def test_cli_posts_a_folder_to_the_server(server, store, tmp_path: Path, capsys) -> None:
    (tmp_path / "manifest.yaml").write_text("one.txt: {id: first, language: en}\n")
    (tmp_path / "one.txt").write_text("Alpha.\n")
    (tmp_path / "two.md").write_text("Beta.\nGamma.\n")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00")
    status = main(["load", "--server", server.url, "--token", TOKEN, str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 1
    assert f"loaded     {tmp_path / 'one.txt'} -> first" in out
    assert f"loaded     {tmp_path / 'two.md'} -> two" in out
    assert f"failed     {tmp_path / 'bad.txt'}: binary data, not text (NUL byte at offset 0)" in err
    assert {g for g in graphs(store) if g.startswith(GRAPH)} == {GRAPH + "first", GRAPH + "two"}
    language = store.query(
        f"SELECT ?l WHERE {{ GRAPH <{GRAPH}first> {{ ?a <http://www.w3.org/ns/prov#used> ?l }} }}"
    )
    assert next(iter(language))["l"].value.startswith("ni:///sha-256;")


def test_cli_with_a_wrong_token_stops_with_advice(server, tmp_path: Path, capsys) -> None:
    (tmp_path / "one.txt").write_text("Alpha.\n")
    status = main(["load", "--server", server.url, "--token", "wrong", str(tmp_path)])
    assert status == 2
    assert "refused the write (401)" in capsys.readouterr().err


def test_server_keeps_serving_whole_documents_while_they_are_replaced(server) -> None:
    """Post two versions of a document in turn while clients query /sparql over HTTP:
    every answer shows the document wholly old or wholly new, and no request fails."""
    import threading

    versions = [
        "\n".join(f"old {i}" for i in range(120)).encode(),
        "\n".join(f"new {i}" for i in range(180)).encode(),
    ]
    count = (
        "SELECT (COUNT(?l) AS ?n) (SUM(IF(STRSTARTS(?l, 'old'), 1, 0)) AS ?old) WHERE { "
        f"GRAPH <{GRAPH}flip> {{ ?e <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/"
        "nif-core#anchorOf> ?l } }"
    )
    assert post(server, {"file": ("flip.txt", versions[0])}).status_code == 200
    seen: set[tuple[int, int]] = set()
    problems: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                answer = session.post(
                    server.url + "/sparql",
                    data={"query": count},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=30,
                )
                if answer.status_code != 200:
                    problems.append(f"{answer.status_code}: {answer.text[:200]}")
                    continue
                row = answer.json()["results"]["bindings"][0]
                seen.add((int(row["n"]["value"]), int(row["old"]["value"])))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for n in range(12):
            answer = post(server, {"file": ("flip.txt", versions[(n + 1) % 2])})
            assert answer.json()["documents"][0]["status"] == "loaded"
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert problems == []
    assert seen <= {(120, 120), (180, 0)}
    assert len(seen) == 2, f"readers saw only {seen}"


def test_a_body_that_breaks_off_mid_upload_leaves_no_open_file(settings, store) -> None:
    """werkzeug spools a large part to a temporary file and drops it unclosed when the body
    ends mid-part; the app closes it (pytest turns the ResourceWarning into a failure)."""
    import gc

    app = create_app(settings.replace(write_token=TOKEN, max_document_bytes=2_000_000), store=store)
    part = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
    with app.test_client() as client:
        answer = client.post(
            "/api/documents",
            data=part + b"A" * 600_000,  # no closing boundary
            headers={
                "Content-Type": "multipart/form-data; boundary=x",
                "Authorization": f"Bearer {TOKEN}",
            },
        )
    gc.collect()
    assert 400 <= answer.status_code < 500
    assert not any("/graph/document/" in str(g) for g in store.named_graphs())
