"""Every option of claimgraph, declared once.

The CLI flags, the environment variables (``CLAIMGRAPH_<NAME>``), the app config and
the docs (``docs/configuration.md``) are all derived from the table below, so an
option cannot exist in one place and be missing in another. Unknown keys are errors.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ontology.vocab import DEFAULT_BASE_IRI

ENV_PREFIX = "CLAIMGRAPH_"


def _opt(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    store: str = _opt(
        "claimgraph-store",
        "Where the graph lives: a directory for the embedded on-disk store, ':memory:', "
        "or the http(s) URL of a remote SPARQL 1.1 store's query endpoint.",
    )
    base_iri: str = _opt(DEFAULT_BASE_IRI, "Base IRI under which resources are minted.")
    host: str = _opt("127.0.0.1", "Interface the server listens on.")
    port: int = _opt(8000, "TCP port the server listens on.")
    threads: int = _opt(8, "Request threads of the server process.")
    query_timeout: float = _opt(30.0, "Seconds after which a query is stopped.")
    max_rows: int = _opt(100_000, "Most result rows (or triples) one query may return.")
    max_request_bytes: int = _opt(1_000_000, "Largest accepted request body, in bytes.")
    max_document_bytes: int = _opt(
        20_000_000, "Largest document file the loader accepts (and POST /api/documents), in bytes."
    )
    union_default_graph: bool = _opt(
        True, "Queries see the union of all named graphs as their default graph."
    )
    write_token: str = _opt(
        "", "Bearer token that enables SPARQL Update and Graph Store writes; empty: writes off."
    )
    cors_origins: str = _opt("*", "Comma-separated origins allowed by CORS ('*' for any).")
    service_allowlist: str = _opt(
        "", "Comma-separated endpoint URLs that SERVICE and LOAD may reach; empty: none."
    )
    rate_limit: float = _opt(20.0, "Requests per second allowed per client (0: unlimited).")
    rate_burst: int = _opt(60, "Requests a client may burst above the rate limit.")
    client_queries: int = _opt(
        4,
        "Queries one client may have evaluating at once (0: unlimited); more get 429. "
        "Part of fair use: applies only when rate_limit is on.",
    )
    query_isolation: str = _opt(
        "pool",
        "How queries run: 'pool' (worker processes forked ahead and reused until the next "
        "write; one is killed when its query passes the timeout), 'fork' (a child process "
        "per query, killed at the timeout) or 'thread' (in the server process; a timed-out "
        "query keeps running to its end).",
    )
    query_workers: int = _opt(
        0, "Query worker processes in 'pool' isolation (0: two per core, at most 8)."
    )
    trust_proxy: bool = _opt(
        False,
        "Honour X-Forwarded-For/-Proto/-Host/-Port/-Prefix from one reverse proxy in front.",
    )
    remote_update_url: str = _opt(
        "", "Update endpoint of a remote store, when it differs from the query endpoint."
    )
    remote_gsp_url: str = _opt(
        "", "Graph Store Protocol endpoint of a remote store, when it has one."
    )
    remote_union: str = _opt(
        "auto",
        "How a remote store gives the union default graph: 'native' (its default graph is "
        "the union: Virtuoso, QLever, Fuseki unionDefaultGraph, oxigraph "
        "--union-default-graph), 'emulate' (each query names every graph; slow with many), "
        "or 'auto' (find out from one triple).",
    )

    @classmethod
    def options(cls) -> list[dataclasses.Field]:
        return list(dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Build settings from a mapping of option names; unknown names are errors."""
        known = {f.name: f for f in cls.options()}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}; known: {sorted(known)}")
        return cls(**{k: _coerce(known[k], v) for k, v in values.items()})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``CLAIMGRAPH_*`` environment variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in cls.options():
            env_name = ENV_PREFIX + f.name.upper()
            if env_name in environ:
                values[f.name] = environ[env_name]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_mapping(values)

    def replace(self, **changes: Any) -> Settings:
        return self.from_mapping({**dataclasses.asdict(self), **changes})

    def list_of(self, name: str) -> list[str]:
        """A comma-separated option as a list, blanks dropped."""
        return [item.strip() for item in str(getattr(self, name)).split(",") if item.strip()]


def _coerce(f: dataclasses.Field, value: Any) -> Any:
    kind = type(f.default)
    if isinstance(value, kind):
        return value
    text = str(value).strip()
    try:
        if kind is bool:
            if text.lower() in {"1", "true", "yes", "on"}:
                return True
            if text.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(text)
        return kind(text)
    except ValueError:
        raise ValueError(
            f"setting {f.name} (env {ENV_PREFIX}{f.name.upper()}) expects {kind.__name__}, "
            f"got {value!r}"
        ) from None
