"""Generate the ontology's documentation from the Turtle: pyLODE HTML + concept tables.

    python -m ontology.docs [--output-dir docs/ontology]

writes ``index.html`` (pyLODE's OntPub page: classes and properties), ``concepts.md``
(the five SKOS concept schemes, which pyLODE's OntPub profile does not show) and
``queries.md`` (the named competency queries, from ``ontology/queries/*.rq``). All are
derived from the shipped files only, never edited by hand; a test regenerates them and
checks that every term and query is documented.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, RDFS, SKOS

from ontology.files import ONTOLOGY_TTL
from ontology.vocab import CONCEPT_BASE

DEFAULT_OUTPUT_DIR = Path(__file__).resolve().parents[1] / "docs" / "ontology"


def _without_scheme_typing(ontology: Path) -> rdflib.Graph:
    """The ontology with its concept schemes untyped: pyLODE takes every skos:ConceptScheme
    for an ontology header and merges their titles into the page's. The schemes are
    documented in concepts.md instead."""
    graph = rdflib.Graph().parse(ontology)
    graph.remove((None, RDF.type, SKOS.ConceptScheme))
    return graph


def render_html(ontology: Path = ONTOLOGY_TTL) -> str:
    """The pyLODE (OntPub profile) HTML page of the ontology."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from pylode import OntPub  # imported here: pyLODE loads its background ontologies
    finally:
        # Importing pyLODE calls logging.basicConfig(level=DEBUG); undo it for our process.
        root.setLevel(level)
        root.handlers[:] = handlers
    with warnings.catch_warnings():
        # pyLODE leaves its CSS file open; that is its business, not a warning for us.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            html = OntPub(_without_scheme_typing(ontology)).make_html()
        finally:
            gc.collect()
    return html


def render_concepts(ontology: Path = ONTOLOGY_TTL) -> str:
    """Markdown tables of the concept schemes: slug, label, other labels, broader, meaning."""
    g = rdflib.Graph().parse(ontology, format="turtle")
    lines = [
        "# claimgraph concept schemes",
        "",
        f"Generated from `ontology/claimgraph.ttl` by `python -m ontology.docs`; "
        f"concept IRIs are `{CONCEPT_BASE}{{scheme}}/{{slug}}`.",
    ]
    for scheme in sorted(g.subjects(RDF.type, SKOS.ConceptScheme)):
        slug_of = {c: str(c).rsplit("/", 1)[-1] for c in g.subjects(SKOS.inScheme, scheme)}
        lines += ["", f"## {g.value(scheme, RDFS.label)} (`{scheme}`)", ""]
        lines += [str(g.value(scheme, SKOS.definition)), ""]
        lines += ["| slug | label | also | broader | definition | Wikidata |"]
        lines += ["|---|---|---|---|---|---|"]
        for concept, slug in sorted(slug_of.items(), key=lambda item: item[1]):
            also = ", ".join(sorted(str(a) for a in g.objects(concept, SKOS.altLabel)))
            broader = ", ".join(
                sorted(slug_of.get(b, str(b)) for b in g.objects(concept, SKOS.broader))
            )
            matches = ", ".join(
                f"[{str(m).rsplit('/', 1)[-1]}]({m})"
                for m in sorted(g.objects(concept, SKOS.exactMatch))
            )
            cells = [f"`{slug}`", str(g.value(concept, SKOS.prefLabel)), also, broader]
            cells += [str(g.value(concept, SKOS.definition)).replace("|", "\\|"), matches]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_queries() -> str:
    """Markdown page of the named queries: title, name, description, parameters, SPARQL."""
    from ontology.queries import named_queries

    lines = [
        "# claimgraph competency queries",
        "",
        "Generated from `ontology/queries/*.rq` by `python -m ontology.docs`. Run one with "
        "`claimgraph query --named NAME`, bind a parameter with `--bind VAR=IRI`.",
    ]
    for query in named_queries():
        lines += ["", f"## {query.short_name}: {query.title}", "", query.description, ""]
        lines.append(f"File: `ontology/queries/{query.name}.rq`.")
        for name, meaning in query.parameters.items():
            lines.append(f"Parameter `?{name}`: {meaning}")
        body = "\n".join(ln for ln in query.sparql.splitlines() if not ln.startswith("#"))
        lines += ["", "```sparql", body.strip(), "```"]
    return "\n".join(lines) + "\n"


def write_docs(output_dir: Path = DEFAULT_OUTPUT_DIR, ontology: Path = ONTOLOGY_TTL) -> list[Path]:
    """Write index.html, concepts.md and queries.md into ``output_dir``; returns the paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    html = output_dir / "index.html"
    html.write_text(render_html(ontology), encoding="utf-8")
    concepts = output_dir / "concepts.md"
    concepts.write_text(render_concepts(ontology), encoding="utf-8")
    queries = output_dir / "queries.md"
    queries.write_text(render_queries(), encoding="utf-8")
    return [html, concepts, queries]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ontology.docs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR, help="folder to write into"
    )
    args = parser.parse_args(argv)
    for path in write_docs(args.output_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
