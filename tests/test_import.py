"""``claimgraph import``: every format, gzip, provenance, failures that change nothing, joins."""

from __future__ import annotations

import gzip
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple

from loaders.importer import ImportFailed, import_file, import_graph
from loaders.reference import reference_quads
from loaders.store import EmbeddedStore, dump_bytes
from ontology import iris
from ontology.queries import get_query
from ontology.vocab import CG, DCT, DEFAULT_BASE_IRI, PROV, RDF, VOID, XSD
from server.cli import main

B = DEFAULT_BASE_IRI
EXTRACT = Path(__file__).resolve().parents[1] / "data" / "wikidata_extract" / "extract.ttl"
GRAPH = NamedNode("https://example.org/graph/imported")
EX = "https://example.org/"
WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)

TRIPLES = [
    Triple(NamedNode(EX + "a"), NamedNode(EX + "name"), Literal('Ä "quoted"', language="de")),
    Triple(NamedNode(EX + "a"), NamedNode(EX + "count"), Literal(3)),
    Triple(NamedNode(EX + "b"), NamedNode(EX + "knows"), NamedNode(EX + "a")),
]


def clock() -> datetime:
    return WHEN


def data_triples(store: EmbeddedStore, graph: NamedNode = GRAPH) -> set[Triple]:
    """The imported triples without the provenance (whose subject is the graph or activity)."""
    provenance = {graph} | {
        q.object for q in store.raw.quads_for_pattern(graph, PROV.wasGeneratedBy, None, graph)
    }
    return {q.triple for q in store.raw.quads_for_pattern(None, None, None, graph)} - {
        q.triple
        for q in store.raw.quads_for_pattern(None, None, None, graph)
        if q.subject in provenance
    }


def write(path: Path, data: bytes, compressed: bool) -> Path:
    if compressed:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(
    ("extension", "format"),
    [
        ("ttl", RdfFormat.TURTLE),
        ("nt", RdfFormat.N_TRIPLES),
        ("nq", RdfFormat.N_QUADS),
        ("trig", RdfFormat.TRIG),
        ("rdf", RdfFormat.RDF_XML),
        ("jsonld", RdfFormat.JSON_LD),
    ],
)
@pytest.mark.parametrize("bulk", [False, True], ids=["atomic", "bulk"])
def test_every_format_lands_in_one_named_graph(
    store: EmbeddedStore,
    tmp_path: Path,
    extension: str,
    format: RdfFormat,
    compressed: bool,
    bulk: bool,
) -> None:
    if format.supports_datasets:  # quads in two graphs of their own: both end up in GRAPH
        items = [
            Quad(t.subject, t.predicate, t.object, NamedNode(EX + f"g{i % 2}"))
            for i, t in enumerate(TRIPLES)
        ]
    else:
        items = TRIPLES
    path = write(tmp_path / f"data.{extension}", ox.serialize(items, format=format), compressed)
    report = import_file(store, path, GRAPH, base_iri=B, bulk=bulk, clock=clock)
    assert (report.triples, report.format, report.compressed, report.bulk) == (
        3,
        format,
        compressed,
        bulk,
    )
    assert data_triples(store) == set(TRIPLES)
    assert list(store.named_graphs()) == [GRAPH]


def test_provenance_names_file_digest_time_and_counts(store: EmbeddedStore, tmp_path: Path) -> None:
    path = write(tmp_path / "data.nt", ox.serialize(TRIPLES, format=RdfFormat.N_TRIPLES), True)
    import_file(store, path, GRAPH, base_iri=B, clock=clock)
    expected_sha = hashlib.sha256(path.read_bytes()).hexdigest()  # of the compressed bytes

    def value(predicate: NamedNode) -> ox.Term:
        (quad,) = store.raw.quads_for_pattern(GRAPH, predicate, None, GRAPH)
        return quad.object

    types = {q.object for q in store.raw.quads_for_pattern(GRAPH, RDF.type, None, GRAPH)}
    assert types == {CG.ImportedDataset, PROV.Entity}
    assert value(CG.sha256) == Literal(expected_sha)
    assert value(CG.fileName) == Literal("data.nt.gz")
    assert value(DCT["format"]) == Literal("application/n-triples")
    assert value(VOID.triples) == Literal(3)  # xsd:integer, the range VoID gives
    # pyoxigraph stores the canonical form of typed values ("+00:00" becomes "Z")
    stamp = Literal("2024-05-06T07:08:09Z", datatype=XSD.dateTime)
    assert value(PROV.generatedAtTime) == stamp
    assert value(PROV.wasDerivedFrom).value.startswith("ni:///sha-256;")
    activity = value(PROV.wasGeneratedBy)
    activity_types = {
        q.object for q in store.raw.quads_for_pattern(activity, RDF.type, None, GRAPH)
    }
    assert activity_types == {CG.LoadActivity, PROV.Activity}


def test_reimport_replaces_the_graph_and_nothing_else(store: EmbeddedStore, tmp_path: Path) -> None:
    other = Quad(NamedNode(EX + "x"), NamedNode(EX + "p"), Literal("kept"), NamedNode(EX + "other"))
    store.raw.add(other)
    first = write(tmp_path / "one.nt", ox.serialize(TRIPLES, format=RdfFormat.N_TRIPLES), False)
    import_file(store, first, GRAPH, base_iri=B, clock=clock)
    second = write(
        tmp_path / "two.nt", ox.serialize(TRIPLES[:1], format=RdfFormat.N_TRIPLES), False
    )
    import_file(store, second, GRAPH, base_iri=B, clock=clock)
    assert data_triples(store) == {TRIPLES[0]}
    assert other in store.raw


def test_blank_nodes_of_two_imports_stay_apart(store: EmbeddedStore, tmp_path: Path) -> None:
    path = write(tmp_path / "b.nt", b'_:b0 <https://example.org/p> "x" .\n', False)
    import_file(store, path, NamedNode(EX + "g1"), base_iri=B)
    import_file(store, path, NamedNode(EX + "g2"), base_iri=B, bulk=True)
    subjects = {
        q.subject for q in store.raw.quads_for_pattern(None, NamedNode(EX + "p"), None, None)
    }
    assert len(subjects) == 2 and all(isinstance(s, BlankNode) for s in subjects)


BROKEN = [
    (
        "syntax.ttl",
        b'<https://example.org/a> <https://example.org/p> "ok" .\n<a> <b> "unterminated .\n',
        r"syntax\.ttl: not valid Turtle: .*line 2 column 9",
    ),
    ("bytes.nt", b"\xff\xfe\x00garbage\n", r"bytes\.nt: not valid N-Triples: .*line 1 column 1"),
]


@pytest.mark.parametrize("bulk", [False, True], ids=["atomic", "bulk"])
@pytest.mark.parametrize(("name", "data", "message"), BROKEN, ids=["syntax", "binary"])
def test_failed_import_leaves_the_store_as_it_was(
    store: EmbeddedStore, tmp_path: Path, name: str, data: bytes, message: str, bulk: bool
) -> None:
    good = write(tmp_path / "good.nt", ox.serialize(TRIPLES, format=RdfFormat.N_TRIPLES), False)
    import_file(store, good, GRAPH, base_iri=B, clock=clock)
    before = dump_bytes(store, RdfFormat.N_QUADS)
    with pytest.raises(ImportFailed, match=message):
        import_file(store, write(tmp_path / name, data, False), GRAPH, base_iri=B, bulk=bulk)
    assert dump_bytes(store, RdfFormat.N_QUADS) == before


@pytest.mark.parametrize("bulk", [False, True], ids=["atomic", "bulk"])
def test_truncated_gzip_changes_nothing(store: EmbeddedStore, tmp_path: Path, bulk: bool) -> None:
    many = [Triple(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(i)) for i in range(5000)]
    whole = gzip.compress(ox.serialize(many, format=RdfFormat.N_TRIPLES))
    path = tmp_path / "cut.nt.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportFailed, match=r"cut\.nt\.gz: .*(gzip|truncated|compressed)"):
        import_file(store, path, GRAPH, base_iri=B, bulk=bulk)
    assert list(store.named_graphs()) == []


def test_unknown_extension_is_explained(store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    with pytest.raises(ImportFailed, match=r"data\.csv: cannot tell the RDF format"):
        import_file(store, path, GRAPH, base_iri=B)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("dir/Wikidata Extract.ttl.gz", "wikidata-extract"),
        ("data.v2.nt", "data-v2"),
        ("places.jsonld", "places"),
    ],
)
def test_default_graph_name_comes_from_the_file_stem(name: str, key: str) -> None:
    assert import_graph(B, Path(name)) == NamedNode(B + "graph/import/" + key)


# --- the join: claimgraph claims x imported Wikidata-shaped data ------------------------


def tiny_reference(tmp_path: Path) -> Path:
    """Reference data in the project's YAML format: one event at a place linked to Wikidata."""
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "places.yaml").write_text(
        "- id: baku\n  label: Baku\n  wikidata: Q9248\n"
        "- id: nowhere\n  label: Nowhere\n  wikidata: Q4115189\n"
    )
    (folder / "events.yaml").write_text(
        "- id: baku-pogrom\n  label: Baku pogrom\n  place: baku\n"
        "- id: unlocated-event\n  label: Unlocated event\n  place: nowhere\n"
    )
    return folder


def claim_quads(doc_id: str, event_key: str, n: int) -> list[Quad]:
    g = iris.document_graph(B, doc_id)
    stmt = iris.statement(B, doc_id)
    quads = [Quad(stmt, RDF.type, CG.Statement, g)]
    for i in range(n):
        claim = iris.claim(B, doc_id, "legal-characterization", i)
        quads += [
            Quad(claim, RDF.type, CG.Claim, g),
            Quad(claim, CG.statedIn, stmt, g),
            Quad(claim, CG.about, iris.entity(B, "event", event_key), g),
        ]
    return quads


def test_competency_query_joins_claims_with_the_imported_extract(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    store.replace_graph(iris.reference_graph(B), reference_quads(B, tiny_reference(tmp_path)))
    store.replace_graph(iris.document_graph(B, "d1"), claim_quads("d1", "baku-pogrom", 2))
    store.replace_graph(iris.document_graph(B, "d2"), claim_quads("d2", "baku-pogrom", 1))
    store.replace_graph(iris.document_graph(B, "d3"), claim_quads("d3", "unlocated-event", 1))
    named = get_query("cq10")
    query = named.sparql
    assert list(store.query(query)) == []  # nothing to join with before the import

    import_file(store, EXTRACT, iris.graph(B, "import", "wikidata"), base_iri=B)
    rows = [
        {
            name: row[name]
            for name in (
                "eventLabel",
                "item",
                "coordinates",
                "countryLabel",
                "claims",
                "statements",
            )
        }
        for row in store.query(query)
    ]
    assert rows == [
        {
            "eventLabel": Literal("Baku pogrom", language="en"),
            "item": NamedNode("http://www.wikidata.org/entity/Q9248"),
            "coordinates": Literal(
                "Point(49.8671 40.4093)",
                datatype=NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral"),
            ),
            "countryLabel": Literal("Azerbaijan", language="en"),
            "claims": Literal(3),
            "statements": Literal(2),
        }
    ]
    # The event parameter restricts the same join.
    pogrom, unlocated = (iris.entity(B, "event", k) for k in ("baku-pogrom", "unlocated-event"))
    assert len(list(store.query(named.bind(event=pogrom)))) == 1
    assert list(store.query(named.bind(event=unlocated))) == []


# --- the command ---------------------------------------------------------------------------


def test_cli_imports_and_reports(store_path: str, tmp_path: Path, capsys) -> None:
    graph = B + "graph/import/wikidata"
    status = main(["import", str(EXTRACT), "--graph", graph, "--store", store_path])
    out = capsys.readouterr().out
    assert status == 0
    expected = len(list(ox.parse(path=str(EXTRACT))))
    assert f"imported {expected} triples from extract.ttl (Turtle" in out
    imported = EmbeddedStore(store_path)
    assert data_triples(imported, NamedNode(graph)) == {
        q.triple for q in ox.parse(path=str(EXTRACT))
    }


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (B + "graph/reference", "would overwrite claimgraph's own graphs"),
        ("not an iri", "is not a valid IRI"),
    ],
)
def test_cli_refuses_bad_graphs(store_path: str, graph: str, message: str, capsys) -> None:
    assert main(["import", str(EXTRACT), "--graph", graph, "--store", store_path]) == 2
    assert message in capsys.readouterr().err


def test_cli_reports_bad_files_without_a_traceback(store_path: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text("<a> <b> .\n")
    assert main(["import", str(path), "--store", store_path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("claimgraph import: bad.ttl: not valid Turtle") and "Traceback" not in err


# --- a remote store: streamed atomic update -----------------------------------------------


@pytest.mark.external
def test_import_into_a_remote_store_streams_and_fails_cleanly(tmp_path: Path) -> None:
    from loaders.remote import RemoteStore
    from tests.oxigraph_server import oxigraph_server

    with oxigraph_server(tmp_path / "oxigraph") as server:
        remote = RemoteStore(server.query_url, server.update_url)
        many = [
            Triple(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(i)) for i in range(25_000)
        ]
        path = write(tmp_path / "many.nt", ox.serialize(many, format=RdfFormat.N_TRIPLES), True)
        report = import_file(remote, path, GRAPH, base_iri=B, clock=clock)
        assert report.triples == 25_000
        count = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {GRAPH} {{ ?s {NamedNode(EX + 'p')} ?o }} }}"
        )
        assert next(iter(remote.query(count)))["n"] == Literal(25_000)

        broken = io.BytesIO(ox.serialize(many, format=RdfFormat.N_TRIPLES) + b"<x> <y> oops .\n")
        bad = write(tmp_path / "bad.nt", broken.getvalue(), False)
        with pytest.raises(ImportFailed, match=r"bad\.nt: not valid N-Triples"):
            import_file(remote, bad, GRAPH, base_iri=B)
        assert next(iter(remote.query(count)))["n"] == Literal(25_000)
        sha = f"SELECT ?sha WHERE {{ GRAPH {GRAPH} {{ {GRAPH} {CG.sha256} ?sha }} }}"
        assert next(iter(remote.query(sha)))["sha"].value == report.sha256

        # The command does the same with the remote endpoints from its settings.
        command = ["import", str(EXTRACT), "--store", server.query_url]
        assert main([*command, "--remote-update-url", server.update_url]) == 0
        wikidata = NamedNode(B + "graph/import/extract")
        assert set(remote.named_graphs()) == {GRAPH, wikidata}


def test_large_files_switch_to_the_bulk_loader(store: EmbeddedStore, tmp_path: Path) -> None:
    path = write(tmp_path / "data.nt", ox.serialize(TRIPLES, format=RdfFormat.N_TRIPLES), False)
    small = import_file(store, path, GRAPH, base_iri=B, atomic_limit=3)
    large = import_file(store, path, GRAPH, base_iri=B, atomic_limit=2)
    forced = import_file(store, path, GRAPH, base_iri=B, atomic_limit=2, bulk=False)
    assert (small.bulk, large.bulk, forced.bulk) == (False, True, False)
    assert data_triples(store) == set(TRIPLES)


def test_cli_explains_a_store_held_by_the_server(store_path: str, capsys) -> None:
    holder = EmbeddedStore(store_path)  # what `claimgraph serve` does while it runs
    try:
        assert main(["import", str(EXTRACT), "--store", store_path]) == 2
    finally:
        del holder
    err = capsys.readouterr().err
    assert (
        "is in use" in err
        and "/store?graph=https://w3id.org/claimgraph/graph/import/extract" in err
    )
