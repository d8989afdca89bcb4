"""``POST /api/documents``: load one document through a running server.

While ``claimgraph serve`` holds the embedded store, this is the only way to add
documents: ``claimgraph load --server URL --token T PATH...`` posts each file here as
``multipart/form-data`` (part ``file`` with the file name; optional part ``metadata``,
a JSON object of given metadata such as the manifest entry). The same ingest code as
the CLI runs in the server process, one document at a time, and the JSON answer is
the load report. Writes need the bearer write token (``server.security``).
"""

from __future__ import annotations

import json
import threading

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState

from loaders.ingest import Source, load_sources, write_support_graphs
from server.app import get_settings, get_store
from server.errors import ApiError
from server.security import require_write_token

bp = Blueprint("load_api", __name__)

# Room for multipart boundaries, headers and the metadata part around the document.
MULTIPART_OVERHEAD = 64 * 1024
_LOCK = "claimgraph.load_api.lock"
BUILDER_CONFIG = "CLAIMGRAPH_BUILDER"  # the extraction stage; None means loaders.build's


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    # One document written at a time: ingest's unchanged-check and write are one step.
    state.app.extensions[_LOCK] = threading.Lock()


def _given_metadata() -> dict[str, str]:
    raw = request.form.get("metadata", "")
    if not raw.strip():
        return {}
    try:
        metadata = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "bad-metadata", f"part 'metadata' is not JSON: {exc}") from None
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise ApiError(400, "bad-metadata", "part 'metadata' must be a JSON object of strings")
    return metadata


@bp.post("/api/documents")
def post_document() -> tuple[Response, int]:
    require_write_token()
    settings = get_settings(current_app)
    request.max_content_length = settings.max_document_bytes + MULTIPART_OVERHEAD
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(
            400,
            "missing-file",
            "post the document as multipart/form-data with a part named 'file' that "
            "carries the file name (e.g. curl -F file=@statement.txt)",
        )
    source = Source(upload.filename, data=upload.read(), metadata=_given_metadata())
    with current_app.extensions[_LOCK]:
        report = load_sources(
            get_store(current_app),
            [source],
            base_iri=settings.base_iri,
            builder=current_app.config.get(BUILDER_CONFIG),
            workers=0,  # one document: extraction in this process
            max_document_bytes=settings.max_document_bytes,
        )
        # A store filled only through this path still gets the ontology and reference
        # graphs; refreshing changed ones is `claimgraph load`'s job (it compares them).
        if report.of_status("loaded"):
            report.graphs = write_support_graphs(
                get_store(current_app), settings.base_iri, only_missing=True
            )
        get_store(current_app).flush()
    # A document that cannot be loaded is the client's input problem: 422 with the reason.
    return jsonify(report.to_json()), 200 if report.ok else 422
