"""The named competency queries shipped in ``ontology/queries/*.rq``.

Tests, docs, the CLI (``claimgraph query --named cq01``) and the web page all read these
files, so each question is answered by one query text everywhere. A file starts with
a header of ``# key: value`` comment lines (continued by lines indented after ``#``)::

    # title: Legal characterizations of an event
    # description: Which statements characterize a given event as ...
    #   continued here.
    # param event: the event (IRI); without it, every event.

A query answers for every value of its parameters; :func:`bind` restricts it to given
values with a trailing ``VALUES`` clause built from pyoxigraph terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode

from ontology.files import QUERIES_DIR

_HEADER = re.compile(r"^#\s?(?P<key>title|description|param\s+\w+):\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(?P<value>\S.*)$")
_NAME = re.compile(r"^(?P<short>cq\d{2})-[a-z0-9-]+$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryNotFoundError(KeyError):
    """No shipped query has the requested name."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class NamedQuery:
    """A shipped SPARQL query with its title, description and parameters."""

    name: str  # file stem, e.g. "cq01-legal-characterizations"
    title: str
    description: str
    sparql: str
    parameters: dict[str, str]  # variable name (without "?") -> what it means

    @property
    def short_name(self) -> str:
        """``cq01`` for ``cq01-legal-characterizations``."""
        match = _NAME.match(self.name)
        return match["short"] if match else self.name

    def bind(self, **values: NamedNode | Literal) -> str:
        """The query text restricted to the given parameter values (see :func:`bind`)."""
        unknown = sorted(set(values) - set(self.parameters))
        if unknown:
            raise ValueError(
                f"query {self.name} has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(self.parameters) or 'none'}"
            )
        return bind(self.sparql, **values)


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; its header must give at least a title."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    key: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header = _HEADER.match(line)
        continuation = _CONTINUATION.match(line)
        if header:
            key = " ".join(header["key"].split())
            fields[key] = header["value"].strip()
        elif continuation and key is not None:
            fields[key] += " " + continuation["value"].strip()
    if "title" not in fields:
        raise ValueError(f"{path}: the header has no '# title:' line")
    parameters = {k.split()[1]: v for k, v in fields.items() if k.startswith("param ")}
    return NamedQuery(
        name=path.stem,
        title=fields["title"],
        description=fields.get("description", ""),
        sparql=text,
        parameters=parameters,
    )


@lru_cache(maxsize=1)
def _load(directory: Path) -> tuple[NamedQuery, ...]:
    return tuple(parse_query_file(p) for p in sorted(directory.glob("*.rq")))


def named_queries(directory: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every shipped query, in file-name order (cq01, cq02, ...)."""
    return list(_load(directory))


load_queries = named_queries  # the name the web page's examples use


def get_query(name: str, directory: Path = QUERIES_DIR) -> NamedQuery:
    """A query by file stem (``cq01-legal-characterizations``) or short name (``cq01``)."""
    for query in _load(directory):
        if name in (query.name, query.short_name):
            return query
    known = ", ".join(q.short_name for q in _load(directory))
    raise QueryNotFoundError(f"no named query {name!r}; known: {known}")


def bind(sparql: str, **values: NamedNode | Literal) -> str:
    """Put ``VALUES (?a ?b) { (<x> "y") }`` first in the outer WHERE clause, so the query
    answers only for these values.

    First, not trailing: pyoxigraph evaluates a trailing VALUES only after the whole query
    (1.5 s instead of 0.2 ms for cq06 at 1M triples, docs/benchmarks.md), while a leading
    one seeds every join. The parameters are the queries' own grouping keys, so grouping
    after the restriction gives the same rows. Terms are written with pyoxigraph's
    N-Triples rendering (``str(term)``), never by hand.
    """
    if not values:
        return sparql
    for name, term in values.items():
        if not _VARIABLE.match(name):
            raise ValueError(f"{name!r} is not a SPARQL variable name")
        if isinstance(term, BlankNode) or not isinstance(term, NamedNode | Literal):
            raise ValueError(f"?{name} must be bound to an IRI or a literal, not {term!r}")
    variables = " ".join(f"?{name}" for name in values)
    row = " ".join(str(term) for term in values.values())
    where = _outer_where(sparql)
    return f"{sparql[:where]}\n  VALUES ({variables}) {{ ({row}) }}{sparql[where:]}"


def _outer_where(sparql: str) -> int:
    """Offset just after the ``{`` opening the outer WHERE clause (not one in a comment)."""
    for match in _WHERE.finditer(sparql):
        line_start = sparql.rfind("\n", 0, match.start()) + 1
        if "#" not in sparql[line_start : match.start()]:
            return match.end()
    raise ValueError("the query has no 'WHERE {' to bind parameters in")
