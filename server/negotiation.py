"""Content negotiation: which serialization a client gets.

HTTP ``Accept`` with q-values and wildcards is parsed by werkzeug; media types and
their aliases (``application/json`` for SPARQL JSON results, ``text/plain`` for
N-Triples, ...) are resolved by pyoxigraph's ``RdfFormat.from_media_type`` and
``QueryResultsFormat.from_media_type``, so no media-type table is kept here. A
``format`` request parameter (``json``, ``ttl``, ``turtle``, a media type, ...)
overrides ``Accept``, for browsers and links.

Rules: every offered format gets the q-value of the most specific ``Accept`` range
that matches it (exact type, then ``type/*``, then ``*/*``); the highest q wins;
between equal q-values an exact match beats a wildcard, then the server's order of
preference decides. q=0 means "not acceptable". No ``Accept`` header means ``*/*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from pyoxigraph import QueryResultsFormat, RdfFormat
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from server.errors import ApiError

F = TypeVar("F", RdfFormat, QueryResultsFormat)

# Server preference, first = default for "*/*".
RESULTS_FORMATS: tuple[QueryResultsFormat, ...] = (
    QueryResultsFormat.JSON,
    QueryResultsFormat.XML,
    QueryResultsFormat.CSV,
    QueryResultsFormat.TSV,
)
GRAPH_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES,
    RdfFormat.JSON_LD,
    RdfFormat.RDF_XML,
    RdfFormat.TRIG,
    RdfFormat.N_QUADS,
)
DATASET_FORMATS: tuple[RdfFormat, ...] = (RdfFormat.TRIG, RdfFormat.N_QUADS)
HTML = "text/html"


def _essence(media_type: str) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv``."""
    return media_type.split(";", 1)[0].strip().lower()


def _canonical(media_range: str, kinds: tuple[type, ...]) -> str:
    """The canonical media type of an Accept entry, through pyoxigraph's aliases."""
    essence = _essence(media_range)
    if "*" in essence:
        return essence
    for kind in kinds:
        found = kind.from_media_type(essence)
        if found is not None:
            return _essence(found.media_type)
    return essence


def _quality(accept: MIMEAccept, offer: str, kinds: tuple[type, ...]) -> tuple[float, int]:
    """(q, specificity) of ``offer`` under ``accept``; specificity 2 exact, 1 type/*, 0 */*."""
    best: tuple[float, int] = (0.0, -1)
    major = offer.split("/", 1)[0]
    for media_range, q in accept:
        canonical = _canonical(media_range, kinds)
        if canonical == offer:
            rank = 2
        elif canonical == f"{major}/*":
            rank = 1
        elif canonical in {"*/*", "*"}:
            rank = 0
        else:
            continue
        if rank > best[1]:
            best = (q, rank)
    return best


def choose(accept_header: str | None, offers: Sequence[str], kinds: tuple[type, ...]) -> str | None:
    """The best of ``offers`` (canonical media types, in server preference) or None."""
    accept = parse_accept_header(accept_header or "*/*", MIMEAccept)
    if not accept:
        accept = parse_accept_header("*/*", MIMEAccept)
    scored = []
    for position, offer in enumerate(offers):
        q, rank = _quality(accept, offer, kinds)
        if q > 0:
            scored.append((-q, -rank, position, offer))
    return min(scored)[3] if scored else None


def best_format(
    accept_header: str | None, formats: Sequence[F], *, extra: Sequence[str] = ()
) -> F | str | None:
    """The best of ``formats`` (or of the ``extra`` media types, e.g. text/html) for Accept."""
    by_type = {_essence(f.media_type): f for f in formats}
    kinds = tuple({type(f) for f in formats})
    chosen = choose(accept_header, [*by_type, *extra], kinds)
    if chosen is None:
        return None
    return by_type.get(chosen, chosen)


def format_from_parameter(value: str, formats: Sequence[F]) -> F | None:
    """A ``format=`` value (extension, media type or name) among ``formats``, else None."""
    wanted = value.strip().lower()
    for f in formats:
        names = {
            f.file_extension,
            _essence(f.media_type),
            f.name.lower().replace(" ", "").replace("-", "").replace("/", ""),
        }
        if wanted.replace("-", "").replace("/", "") in names or wanted in names:
            return f
        kind = type(f)
        if kind.from_extension(wanted) == f or kind.from_media_type(wanted) == f:
            return f
    return None


@dataclass(frozen=True)
class QueryFormats:
    """The format to use for each query form, decided before the form is known."""

    results: QueryResultsFormat | None  # SELECT and ASK
    graph: RdfFormat | None  # CONSTRUCT and DESCRIBE
    requested: str  # what the client asked for, for a 406 message


def for_query(accept_header: str | None, format_param: str | None) -> QueryFormats:
    """Formats for a query response; ``format_param`` overrides Accept.

    An unknown ``format`` value is a 400 (a typo); a known one that does not fit the
    query's form becomes a 406 once the form is known.
    """
    if format_param:
        results = format_from_parameter(format_param, RESULTS_FORMATS)
        graph = format_from_parameter(format_param, GRAPH_FORMATS)
        if results is None and graph is None:
            raise ApiError(
                400,
                "unknown-format",
                f"unknown format {format_param!r}; use one of {', '.join(known_names())}",
            )
        return QueryFormats(results, graph, f"format={format_param}")
    results = best_format(accept_header, RESULTS_FORMATS)
    graph = best_format(accept_header, GRAPH_FORMATS)
    return QueryFormats(results, graph, f"Accept: {accept_header or '*/*'}")  # type: ignore[arg-type]


def known_names() -> list[str]:
    return [f.file_extension for f in (*RESULTS_FORMATS, *GRAPH_FORMATS)]


def not_acceptable(requested: str, formats: Sequence[RdfFormat | QueryResultsFormat]) -> ApiError:
    offered = ", ".join(_essence(f.media_type) for f in formats)
    return ApiError(
        406, "not-acceptable", f"cannot answer {requested}; this resource is available as {offered}"
    )


def graph_format(
    accept_header: str | None,
    format_param: str | None,
    formats: Sequence[RdfFormat] = GRAPH_FORMATS,
    *,
    html: bool = False,
) -> RdfFormat | str:
    """An RDF format for a graph-shaped answer (or ``"text/html"`` when ``html`` and preferred).

    Raises a 400 for an unknown ``format`` value and a 406 when nothing fits.
    """
    if format_param:
        if html and format_param.strip().lower() in {"html", HTML}:
            return HTML
        found = format_from_parameter(format_param, formats)
        if found is None:
            raise ApiError(
                400,
                "unknown-format",
                f"unknown format {format_param!r} here; use one of "
                + ", ".join(f.file_extension for f in formats),
            )
        return found
    chosen = best_format(accept_header, formats, extra=(HTML,) if html else ())
    if chosen is None:
        raise not_acceptable(f"Accept: {accept_header}", formats)
    return chosen
