"""The nine competency queries on the hand-written example, in a real on-disk store.

Expected rows were worked out by hand from the seed texts (see the comments in
tests/fixtures/example.trig), not copied from the queries' output. Also covers
parameter binding and the `claimgraph query` / `claimgraph validate` commands.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat

from loaders.store import EmbeddedStore
from ontology.files import ontology_quads
from ontology.queries import NamedQuery, bind, get_query, named_queries, parse_query_file
from server.cli import main
from tests.conftest import FIXTURES

ID = "https://w3id.org/claimgraph/id/"
EVENT = f"{ID}event/black-january"
DOC0 = "000-638dc1acbe19e14a"
ARTICLE = f"{ID}statement/{DOC0}"
OMBUDSPERSON = f"{ID}statement/{DOC0}-reported-1"
ALIYEV = f"{ID}statement/{DOC0}-reported-2"
STATEMENT_2024 = f"{ID}statement/001-6dea0ecab24240c0"
OMBUDSMAN_OFFICE = "Commissioner for Human Rights (Ombudsman) of the Republic of Azerbaijan"
CONCEPT = "https://w3id.org/claimgraph/concept/"
ONTOLOGY_GRAPH = NamedNode("https://w3id.org/claimgraph/graph/ontology")
SECOND_SOURCE = FIXTURES / "example-second-source.trig"


def load(store: EmbeddedStore, *extra: Path) -> EmbeddedStore:
    for path in (FIXTURES / "example.trig", *extra):
        store.raw.load(path=str(path), format=RdfFormat.TRIG)
    store.replace_graph(ONTOLOGY_GRAPH, ontology_quads(ONTOLOGY_GRAPH))
    store.flush()
    return store


def rows(store: EmbeddedStore, name: str, **values: NamedNode) -> list[dict[str, str | None]]:
    sparql = get_query(name).bind(**values)
    solutions = store.query(sparql)
    columns = [v.value for v in solutions.variables]
    return [{c: (s[c].value if s[c] is not None else None) for c in columns} for s in solutions]


def pick(row: dict[str, str | None], *keys: str) -> tuple[str | None, ...]:
    return tuple(row[k] for k in keys)


# --- The shipped files ----------------------------------------------------------------


def test_nine_competency_queries_with_headers() -> None:
    queries = {q.short_name: q for q in named_queries()}
    assert {f"cq0{i}" for i in range(1, 10)} <= set(queries)
    for short in [f"cq0{i}" for i in range(1, 10)]:
        query = queries[short]
        assert query.title and len(query.description) > 40, short
        assert query.sparql.lstrip().startswith("# title:")
    assert queries["cq01"].parameters == {"event": "the event (IRI); without it, every event."}
    assert queries["cq09"].parameters == {}
    assert get_query("cq06") is get_query("cq06-claim-evidence")


def test_header_continuation_lines_join_the_description(tmp_path: Path) -> None:
    path = tmp_path / "cq99-x.rq"
    path.write_text(
        "# title: T\n# description: first line\n#   second line\n# param e: an event\n"
        "SELECT ?e WHERE { ?e ?p ?o }\n",
        encoding="utf-8",
    )
    query = parse_query_file(path)
    assert (query.title, query.description, query.parameters) == (
        "T",
        "first line second line",
        {"e": "an event"},
    )
    (tmp_path / "bad.rq").write_text("SELECT * {}", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.rq: the header has no '# title:' line"):
        parse_query_file(tmp_path / "bad.rq")


def test_bind_puts_values_from_terms_first_in_the_outer_where() -> None:
    query = (
        "# not this WHERE { in a comment\n"
        "SELECT ?e ?l WHERE { ?e ?p ?l { SELECT ?e WHERE { ?e ?q ?r } } }"
    )
    sparql = bind(query, e=NamedNode(EVENT), l=Literal('say "hi"'))
    values = f'VALUES (?e ?l) {{ (<{EVENT}> "say \\"hi\\"") }}'
    assert sparql == query.replace("?l WHERE {", f"?l WHERE {{\n  {values}", 1)
    with pytest.raises(ValueError, match="IRI or a literal"):
        bind("SELECT * {}", e=BlankNode())
    with pytest.raises(ValueError, match="no 'WHERE"):
        bind("SELECT * {}", e=NamedNode(EVENT))
    with pytest.raises(ValueError, match="has no parameter claim"):
        get_query("cq01").bind(claim=NamedNode(EVENT))


# --- Each question on the example -----------------------------------------------------


def test_cq01_legal_characterizations(store: EmbeddedStore) -> None:
    load(store)
    found = rows(store, "cq01")
    # Only the ombudsperson calls it a crime against humanity; the two "massacre"
    # characterizations are not among genocide / crimes against humanity / war crimes.
    assert [
        pick(r, "event", "category", "statement", "issuerLabel", "authorLabel", "date")
        + pick(r, "dateInferred")
        for r in found
    ] == [
        (
            EVENT,
            f"{CONCEPT}legal-category/crime-against-humanity",
            OMBUDSPERSON,
            OMBUDSMAN_OFFICE,
            "Sabina Aliyeva",
            "2026",
            "true",
        )
    ]


def test_cq01_includes_narrower_categories_and_binds_an_event(store: EmbeddedStore) -> None:
    load(store)
    store.update(
        f"INSERT DATA {{ GRAPH <urn:test> {{ <urn:c> a <{CG}LegalCharacterization> ; "
        f"<{CG}about> <{EVENT}> ; <{CG}statedIn> <{ALIYEV}> ; "
        f"<{CG}legalCategory> <{CONCEPT}legal-category/extermination> }} }}"
    )
    categories = sorted(r["category"].rsplit("/", 1)[-1] for r in rows(store, "cq01"))
    assert categories == ["crime-against-humanity", "extermination"]
    assert len(rows(store, "cq01", event=NamedNode(EVENT))) == 2
    assert rows(store, "cq01", event=NamedNode(f"{ID}event/khojaly-massacre")) == []


CG = "https://w3id.org/claimgraph/ontology#"
FIGURE_KEYS = ("kindLabel", "groupLabel", "statement", "count", "sources", "agreement")


def test_cq02_casualty_figures_single_source(store: EmbeddedStore) -> None:
    load(store)
    found = rows(store, "cq02", event=NamedNode(EVENT))
    assert [pick(r, *FIGURE_KEYS) for r in found] == [
        ("injured", None, OMBUDSPERSON, "744", "1", "single source"),
        ("killed", "civilians", OMBUDSPERSON, "150", "1", "single source"),
    ]
    assert found[1]["sourceLabel"] == OMBUDSMAN_OFFICE
    assert found[1]["qualifier"] == "exact"


def test_cq02_sources_agree(store: EmbeddedStore) -> None:
    """Seed 001 (the 2024 statement) gives the same 150 killed and 744 injured."""
    load(store, SECOND_SOURCE)
    found = rows(store, "cq02")
    assert [pick(r, *FIGURE_KEYS) for r in found] == [
        ("detained", None, STATEMENT_2024, "841", "1", "single source"),
        ("injured", None, OMBUDSPERSON, "744", "2", "agree"),
        ("injured", None, STATEMENT_2024, "744", "2", "agree"),
        ("killed", "civilians", OMBUDSPERSON, "150", "2", "agree"),
        ("killed", "civilians", STATEMENT_2024, "150", "2", "agree"),
    ]


def test_cq02_sources_differ(store: EmbeddedStore) -> None:
    """A deliberately altered variant: the 2024 statement now says 800 injured."""
    load(store, SECOND_SOURCE)
    claim = f"{ID}claim/001-6dea0ecab24240c0-injured"
    store.update(
        f"DELETE {{ GRAPH ?g {{ <{claim}> <{CG}count> ?n }} }} "
        f"INSERT {{ GRAPH ?g {{ <{claim}> <{CG}count> 800 }} }} "
        f"WHERE {{ GRAPH ?g {{ <{claim}> <{CG}count> ?n }} }}"
    )
    injured = [r for r in rows(store, "cq02") if r["kindLabel"] == "injured"]
    assert [pick(r, "statement", "count", "lowest", "highest", "agreement") for r in injured] == [
        (OMBUDSPERSON, "744", "744", "800", "differ"),
        (STATEMENT_2024, "800", "744", "800", "differ"),
    ]


def test_cq02_one_source_with_two_counts_differs(store: EmbeddedStore) -> None:
    """A variant: the ombudsperson's statement also gives 800 injured in another claim."""
    load(store)
    store.update(
        f"INSERT DATA {{ GRAPH <urn:test> {{ <urn:c> a <{CG}CasualtyFigure> ; "
        f"<{CG}about> <{EVENT}> ; <{CG}statedIn> <{OMBUDSPERSON}> ; <{CG}count> 800 ; "
        f"<{CG}casualtyKind> <{CONCEPT}casualty-kind/injured> }} }}"
    )
    injured = [r for r in rows(store, "cq02") if r["kindLabel"] == "injured"]
    assert [pick(r, "count", "sources", "agreement") for r in injured] == [
        ("744", "1", "differ"),
        ("800", "1", "differ"),
    ]


def test_cq03_instrument_violations(store: EmbeddedStore) -> None:
    load(store)
    found = rows(store, "cq03")
    assert [pick(r, "event", "acronym", "article", "statement", "sourceLabel") for r in found] == [
        (EVENT, "ICCPR", None, OMBUDSPERSON, OMBUDSMAN_OFFICE),
        (EVENT, "UDHR", None, OMBUDSPERSON, OMBUDSMAN_OFFICE),
    ]


def test_cq03_lists_each_article(store: EmbeddedStore) -> None:
    load(store)
    claim = f"{ID}claim/{DOC0}-iccpr"
    store.update(f'INSERT DATA {{ GRAPH <urn:test> {{ <{claim}> <{CG}article> "6" , "7" }} }}')
    iccpr = [r["article"] for r in rows(store, "cq03") if r["acronym"] == "ICCPR"]
    assert iccpr == ["6", "7"]


def test_cq04_calls_to_action(store: EmbeddedStore) -> None:
    load(store)
    found = rows(store, "cq04", statement=NamedNode(OMBUDSPERSON))
    action = (
        "take a firm stance and ensure that those responsible are held accountable and "
        "that this massacre receives proper assessment under international law"
    )
    assert [pick(r, "relation", "agentLabel", "action", "event") for r in found] == [
        # ORDER BY compares code points: upper case sorts first
        ("called upon", "United Nations", action, EVENT),
        ("called upon", "international organizations", action, EVENT),
    ]
    assert rows(store, "cq04", statement=NamedNode(ARTICLE)) == []


def test_cq04_addressees(store: EmbeddedStore) -> None:
    """Seed 001 is sent to a list of bodies; the first two are transcribed."""
    load(store, SECOND_SOURCE)
    found = rows(store, "cq04")
    assert [pick(r, "statement", "relation", "agentLabel", "action", "event") for r in found] == [
        (OMBUDSPERSON, "called upon", "United Nations", found[0]["action"], EVENT),
        (OMBUDSPERSON, "called upon", "international organizations", found[0]["action"], EVENT),
        (
            STATEMENT_2024,
            "addressed",
            "Office of the United Nations High Commissioner for Human Rights",
            None,
            None,
        ),
        (STATEMENT_2024, "addressed", "United Nations Security Council", None, None),
    ]


def test_cq05_perpetrators(store: EmbeddedStore) -> None:
    load(store)
    found = rows(store, "cq05")
    assert [pick(r, "perpetratorLabel", "statement", "sourceLabel", "date") for r in found] == [
        ("former USSR leadership", ALIYEV, "Heydar Aliyev", "1990-01-21"),
        ("Soviet Armed Forces", OMBUDSPERSON, OMBUDSMAN_OFFICE, "2026"),
    ]


def test_cq06_evidence_of_every_claim_is_the_text(store: EmbeddedStore) -> None:
    load(store)
    text = (FIXTURES / "example-text" / "000_638dc1acbe19e14a.txt").read_text(encoding="utf-8")
    found = rows(store, "cq06")
    assert len(found) == 10  # ten claims, each with one piece of evidence
    for r in found:
        assert text[int(r["begin"]) : int(r["end"])] == r["quote"]
        assert r["fileName"] == "000_638dc1acbe19e14a.txt"
    (one,) = rows(store, "cq06", claim=NamedNode(f"{ID}claim/{DOC0}-killed"))
    assert pick(one, "quote", "begin", "end", "document", "statement") == (
        "the deaths of 150 peaceful people",
        "1392",
        "1425",
        f"{ID}document/{DOC0}",
        OMBUDSPERSON,
    )


def test_cq07_reported_statements(store: EmbeddedStore) -> None:
    load(store)
    found = rows(store, "cq07")
    assert [
        pick(r, "statement", "sourceLabel", "reported", "reportedSourceLabel", "reportedDate")
        for r in found
    ] == [
        (ARTICLE, "Vafa Guliyeva", OMBUDSPERSON, OMBUDSMAN_OFFICE, "2026"),
        (OMBUDSPERSON, OMBUDSMAN_OFFICE, ALIYEV, "Heydar Aliyev", "1990-01-21"),
    ]


def test_cq08_timeline(store: EmbeddedStore) -> None:
    load(store)
    # A known event no statement makes a claim about yet comes with zero counts.
    store.update(
        f"INSERT DATA {{ GRAPH <urn:test> {{ <{ID}event/khojaly-massacre> a <{CG}Event> ; "
        f'<https://schema.org/startDate> "1992-02-25"^^<http://www.w3.org/2001/XMLSchema#date> '
        f"}} }}"
    )
    found = rows(store, "cq08")
    assert [pick(r, "event", "start", "end", "statements", "claims") for r in found] == [
        (EVENT, "1990-01-19", "1990-01-20", "3", "10"),
        (f"{ID}event/khojaly-massacre", "1992-02-25", None, "0", "0"),
    ]


def test_cq08_counts_every_source(store: EmbeddedStore) -> None:
    load(store, SECOND_SOURCE)
    (row,) = rows(store, "cq08", event=NamedNode(EVENT))
    assert pick(row, "statements", "claims") == ("4", "13")


def test_cq09_wikidata_links(store: EmbeddedStore) -> None:
    load(store)
    found = {
        (r["entity"].removeprefix(ID).removeprefix(CONCEPT), r["qid"]) for r in rows(store, "cq09")
    }
    assert found == {
        ("place/baku", "Q9248"),
        ("place/azerbaijan", "Q227"),
        ("organization/united-nations", "Q1065"),
        ("instrument/udhr", "Q7813"),
        ("legal-category/genocide", "Q41397"),
        ("legal-category/crime-against-humanity", "Q173462"),
        ("legal-category/war-crime", "Q135010"),
        ("legal-category/massacre", "Q3199915"),
        ("legal-category/torture", "Q132781"),
        ("victim-group/children", "Q7569"),
        ("victim-group/women", "Q467"),
        ("victim-group/men", "Q8441"),
    }


@pytest.mark.parametrize("query", named_queries(), ids=lambda q: q.short_name)
def test_every_named_query_runs_on_an_empty_store(store: EmbeddedStore, query: NamedQuery) -> None:
    assert list(store.query(query.sparql)) == []


# --- claimgraph query -----------------------------------------------------------------


def prepared_store(path: str, update: str | None = None) -> str:
    """Load the example into an on-disk store at ``path`` and close it (the CLI opens it)."""
    store = load(EmbeddedStore(path))
    if update:
        store.update(update)
    store.flush()
    del store
    gc.collect()  # releases the RocksDB lock held by the last reference
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_query_command_table(store_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    location = prepared_store(store_path)
    status, out, _ = cli(capsys, "query", "--store", location, "--named", "cq05", "--width", "0")
    assert status == 0
    header, rule, first, second, count = out.splitlines()
    assert header.split() == [
        "event", "eventLabel", "perpetrator", "perpetratorLabel", "statement", "sourceLabel",
        "date", "claim",
    ]  # fmt: skip
    assert set(rule) == {"-", " "}
    # minted IRIs print relative to the base IRI, known namespaces as prefixed names
    assert first.startswith("<id/event/black-january>") and "former USSR leadership" in first
    assert "Soviet Armed Forces" in second and second.index("2026") == header.index("date")
    assert count == "(2 rows)"


def test_query_command_formats(
    store_path: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    location = prepared_store(store_path)
    status, out, _ = cli(
        capsys, "query", "--store", location, "--named", "cq08", "--format", "json"
    )
    assert status == 0
    (binding,) = json.loads(out)["results"]["bindings"]
    assert binding["claims"]["value"] == "10"
    query_file = tmp_path / "places.rq"
    query_file.write_text(
        f"CONSTRUCT {{ ?p <{CG}place> ?x }} WHERE {{ ?p <{CG}place> ?x }}", encoding="utf-8"
    )
    status, out, _ = cli(
        capsys, "query", "--store", location, "-f", str(query_file), "--format", "ntriples"
    )
    assert (status, out) == (0, f"<{EVENT}> <{CG}place> <{ID}place/baku> .\n")
    status, out, _ = cli(capsys, "query", "--store", location, "ASK { ?s a <urn:nothing> }")
    assert (status, out) == (0, "false\n")
    status, out, _ = cli(
        capsys, "query", "--store", location, "--named", "cq01", "--format", "csv",
        "--bind", f"event=<{EVENT}>",
    )  # fmt: skip
    assert status == 0 and out.splitlines()[1].startswith(f"{EVENT},Black January,")


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--named", "cq42"], "no named query 'cq42'"),
        (["SELEC"], "not valid SPARQL"),
        (["--named", "cq01", "--bind", "claim=urn:x"], "has no parameter claim"),
        (["--named", "cq01", "--bind", "event"], "expects VAR=IRI"),
        (["SELECT * {}", "--bind", "event=urn:x"], "--named queries only"),
        (["--named", "cq08", "--format", "turtle"], "for CONSTRUCT and DESCRIBE"),
        (["CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"], "for SELECT and ASK"),
        ([], "give a query"),
    ],
)
def test_query_command_errors(
    store_path: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = cli(capsys, "query", "--store", store_path, *argv)
    assert status == 2 and out == ""
    assert err.startswith("claimgraph query: ") and message in err


def test_query_command_list(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "query", "--list")
    assert status == 0
    assert "cq02  Casualty figures by source  [bind: ?event]" in out.splitlines()


# --- claimgraph validate --------------------------------------------------------------


def test_validate_command_on_store_and_files(
    store_path: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    statement = f"{ID}statement/{DOC0}-reported-2"
    location = prepared_store(
        store_path, f"DELETE WHERE {{ GRAPH ?g {{ <{statement}> <{CG}sourceDocument> ?d }} }}"
    )
    status, out, err = cli(capsys, "validate", "--store", location)
    assert status == 1
    assert out == (
        f"{statement} cg:sourceDocument: a statement must have exactly one source document\n"
    )
    assert "1 violation" in err
    status, out, err = cli(capsys, "validate", "--store", location, str(FIXTURES / "example.trig"))
    assert (status, out) == (0, "")
    assert "no violations" in err
    broken = tmp_path / "broken.ttl"
    broken.write_text(f"<urn:c> a <{CG}CasualtyFigure> ; <{CG}count> -1 .", encoding="utf-8")
    status, out, _ = cli(capsys, "validate", str(broken))
    assert status == 1
    assert "urn:c cg:count: a count cannot be negative (value: -1)" in out.splitlines()
    status, _, err = cli(capsys, "validate", str(tmp_path / "missing.ttl"))
    assert status == 2 and "cannot read" in err and "missing.ttl" in err
    (tmp_path / "notes.docx").write_bytes(b"")
    status, _, err = cli(capsys, "validate", str(tmp_path / "notes.docx"))
    assert status == 2 and "unknown RDF file extension '.docx'" in err


def test_validate_command_skips_imported_graphs(
    store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Data imported as is keeps its own conventions (here an xsd:dateTime start date)."""
    imported = "https://w3id.org/claimgraph/graph/import/wikidata"
    location = prepared_store(
        store_path,
        f"INSERT DATA {{ GRAPH <{imported}> {{ <{imported}> a <{CG}ImportedDataset> . "
        f'<urn:e> <https://schema.org/startDate> "1990-01-19T00:00:00Z"'
        f"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}",
    )
    status, out, err = cli(capsys, "validate", "--store", location)
    assert (status, out) == (0, "")
    assert "(1 imported graph skipped): no violations" in err
    status, out, _ = cli(capsys, "validate", "--store", location, "--include-imports")
    assert status == 1
    assert out.startswith(
        "urn:e schema:startDate: a start date must be an xsd:date or an xsd:gYear "
        "(value: 1990-01-19T00:00:00"  # rdflib normalizes the time zone's spelling
    )
