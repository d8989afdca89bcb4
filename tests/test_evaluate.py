"""The evaluation: scoring arithmetic on hand-made units, the gold reader's errors, and
one end-to-end run through the real loader edge with a hand-written builder."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Literal, Quad

from loaders.evaluate import Evaluation, evaluate_paths, gold_units
from loaders.evaluation_report import per_document, render_markdown
from loaders.gold import GoldError, load_gold, load_gold_dir
from loaders.scoring import Unit, match_all, match_section, normalize, similar_text
from ontology import iris
from ontology.vocab import (
    CASUALTY_KIND,
    CG,
    CLAIM_TYPE,
    LEGAL_CATEGORY,
    RDF,
    RDFS,
    VICTIM_GROUP,
    XSD,
)
from server.cli import main

BASE = "https://example.org/cg/"


def lc(doc: str, category: str, *, optional: bool = False, event: str | None = "e1") -> Unit:
    return Unit("legal-characterization", doc, ("main", event, category), optional=optional)


# --- scoring arithmetic ----------------------------------------------------------------


def test_perfect_match() -> None:
    gold = [lc("d", "genocide"), lc("d", "massacre")]
    result = match_section("legal-characterization", gold, list(gold))
    assert result.scores() == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "tp": 2,
        "fp": 0,
        "fn": 0,
    }


def test_one_miss() -> None:
    gold = [lc("d", c) for c in ("genocide", "massacre", "pogrom", "war-crime")]
    result = match_section("legal-characterization", gold, gold[:3])
    s = result.scores()
    assert (s["tp"], s["fp"], s["fn"]) == (3, 0, 1)
    assert s["precision"] == 1.0 and s["recall"] == 0.75
    assert s["f1"] == pytest.approx(6 / 7)  # 2PR/(P+R) = 1.5/1.75
    assert [u.key for u in result.misses] == [("main", "e1", "war-crime")]


def test_one_false_hit() -> None:
    gold = [lc("d", c) for c in ("genocide", "massacre", "pogrom")]
    result = match_section("legal-characterization", gold, [*gold, lc("d", "torture")])
    s = result.scores()
    assert (s["tp"], s["fp"], s["fn"]) == (3, 1, 0)
    assert s["precision"] == 0.75 and s["recall"] == 1.0 and s["f1"] == pytest.approx(6 / 7)
    assert [u.key[2] for u in result.false_hits] == ["torture"]


def test_same_key_in_another_document_does_not_match() -> None:
    result = match_section("legal-characterization", [lc("a", "genocide")], [lc("b", "genocide")])
    assert (result.tp, result.fp, result.fn) == (0, 1, 1)
    assert result.scores()["f1"] == 0.0


def test_repeated_predictions_count_once() -> None:
    result = match_section(
        "legal-characterization", [lc("d", "genocide")], [lc("d", "genocide")] * 3
    )
    assert (result.tp, result.fp, result.fn) == (1, 0, 0)


def test_optional_gold_is_neither_rewarded_nor_punished() -> None:
    gold = [lc("d", "genocide"), lc("d", "torture", optional=True)]
    found = match_section("legal-characterization", gold, [lc("d", "genocide"), lc("d", "torture")])
    assert (found.tp, found.fp, found.fn) == (1, 0, 0)
    not_found = match_section("legal-characterization", gold, [lc("d", "genocide")])
    assert (not_found.tp, not_found.fp, not_found.fn) == (1, 0, 0)


def test_a_gold_null_event_is_a_wildcard_used_once() -> None:
    gold = [Unit("casualty-figure", "d", ("main", None, "4000", "missing"))]
    pred = [
        Unit("casualty-figure", "d", ("main", "khojaly", "4000", "missing")),
        Unit("casualty-figure", "d", ("main", "other", "4000", "missing")),
    ]
    result = match_section("casualty-figure", gold, pred)
    assert (result.tp, result.fp, result.fn) == (1, 1, 0)


def test_strict_scores_count_a_wrong_attribute_as_miss_and_false_hit() -> None:
    key = ("main", "e1", "63", "killed")
    gold = [Unit("casualty-figure", "d", key, {"group": "children", "qualifier": "exact"})]
    pred = [Unit("casualty-figure", "d", key, {"group": "women", "qualifier": "exact"})]
    result = match_section("casualty-figure", gold, pred)
    assert result.scores()["f1"] == 1.0
    strict = result.scores(strict=True)
    assert (strict["tp"], strict["fp"], strict["fn"], strict["f1"]) == (0, 1, 1, 0.0)
    assert result.attribute_totals == {"group": [0, 1], "qualifier": [1, 1]}


def test_unannotated_attribute_is_not_scored() -> None:
    key = ("main", "e1", "744", "injured")
    gold = [Unit("casualty-figure", "d", key, {"group": None, "qualifier": "exact"})]
    pred = [Unit("casualty-figure", "d", key, {"group": "civilians", "qualifier": "exact"})]
    result = match_section("casualty-figure", gold, pred)
    assert result.scores(strict=True)["f1"] == 1.0
    assert "group" not in result.attribute_totals


def test_articles_compare_as_sets_and_actions_by_content_words() -> None:
    key = ("main", "e1", "iccpr")
    gold = [Unit("instrument-violation", "d", key, {"articles": ("2", "6", "7")})]
    same = [Unit("instrument-violation", "d", key, {"articles": ("7", "6", "2")})]
    fewer = [Unit("instrument-violation", "d", key, {"articles": ("2", "6")})]
    assert match_section("s", gold, same).strict_tp == 1
    assert match_section("s", gold, fewer).strict_tp == 0
    assert similar_text(
        "take decisive actions to hold the accused accountable before the court of justice",
        "to take decisive actions to hold the accused accountable",
    )  # 5 of 8 content words shared
    assert not similar_text("legally condemn this heinous crime", "ensure accountability")


def test_sections_are_scored_separately() -> None:
    gold = [lc("d", "genocide"), Unit("addressee", "d", ("main", "unsc"))]
    pred = [lc("d", "genocide"), Unit("addressee", "d", ("main", "unga"))]
    results = match_all(gold, pred)
    assert results["legal-characterization"].scores()["f1"] == 1.0
    assert results["addressee"].scores()["f1"] == 0.0


def test_normalize() -> None:
    assert normalize("the UN Secretary-General (UNSG)") == "un secretary-general"
    assert (
        normalize("Azerbaijan\u2019s  Human Rights Commissioner,")
        == "azerbaijan's human rights commissioner"
    )


# --- the gold reader ------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("claims: []\n", "document: FILE NAME"),
        ("document: x.txt\nstatements: {}\n", "'main' is missing"),
        (
            "document: x.txt\nstatements: {main: {}}\nclaims:\n"
            "  - {type: rumour, statement: main, evidence: x}\n",
            "claims[0]: type must be one of",
        ),
        (
            "document: x.txt\nstatements: {main: {}}\nevents: [{id: e1}]\nclaims:\n"
            "  - {type: legal-characterization, statement: main, event: e1, category: genocide}\n",
            "claims[0]: every claim needs its evidence quote",
        ),
        (
            "document: x.txt\nstatements: {main: {}}\nevents: [{id: e1}]\nclaims:\n"
            "  - {type: legal-characterization, statement: other, event: e1, category: g,"
            " evidence: x}\n",
            "statement 'other' is not under statements:",
        ),
        (
            "document: x.txt\nstatements: {main: {date: 2024-01-19}}\n",
            "statements.main.date: write dates as quoted strings",
        ),
    ],
)
def test_gold_errors_name_file_and_place(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path / "bad.yaml", body)
    with pytest.raises(GoldError) as info:
        load_gold(path)
    assert str(path) in str(info.value) and message in str(info.value)


# --- end to end through the loader edge ---------------------------------------------------

TEXT = "Statement. The Foo massacre killed 12 children. It was genocide, said the Bar Army.\n"
GOLD = """
document: tiny.txt
statements:
  main: {}
events:
  - {id: foo-massacre, names: [Foo massacre]}
claims:
  - {type: legal-characterization, statement: main, event: foo-massacre, category: massacre,
     evidence: "The Foo massacre"}
  - {type: legal-characterization, statement: main, event: foo-massacre, category: genocide,
     evidence: "It was genocide"}
  - {type: casualty-figure, statement: main, event: foo-massacre, id: k, count: 12, kind: killed,
     group: children, evidence: "killed 12 children"}
  - {type: perpetrator-attribution, statement: main, event: foo-massacre,
     perpetrator: {id: bar-army, names: [Bar Army]}, evidence: "the Bar Army"}
"""


def tiny_builder(doc, base_iri: str) -> list[Quad]:
    """What a loader might write: one hit, one wrong attribute, one false hit, one miss."""
    g = iris.document_graph(base_iri, doc.doc_id)
    d = iris.document(base_iri, doc.doc_id)
    stmt = iris.statement(base_iri, doc.doc_id)
    event = iris.entity(base_iri, "event", "the-foo-massacre")  # aligned by its label
    triples = [
        (d, RDF.type, CG.Document),
        (d, CG.fileName, Literal(doc.file_name)),
        (stmt, RDF.type, CG.Statement),
        (stmt, CG.sourceDocument, d),
        (event, RDF.type, CG.Event),
        (event, RDFS.label, Literal("the Foo massacre")),
    ]
    claims = [
        ("lc1", "legal-characterization", [(CG.legalCategory, LEGAL_CATEGORY.massacre)]),
        ("lc2", "legal-characterization", [(CG.legalCategory, LEGAL_CATEGORY["war-crime"])]),
        (
            "cf",
            "casualty-figure",
            [
                (CG["count"], Literal("12", datatype=XSD.nonNegativeInteger)),
                (CG.casualtyKind, CASUALTY_KIND.killed),
                (CG.victimGroup, VICTIM_GROUP.women),
            ],
        ),
    ]
    for key, kind, values in claims:
        claim = iris.claim(base_iri, doc.doc_id, key)
        triples += [
            (claim, CG.claimType, CLAIM_TYPE[kind]),
            (claim, CG.statedIn, stmt),
            (claim, CG.about, event),
        ]
        triples += [(claim, p, o) for p, o in values]
    return [Quad(s, p, o, g) for s, p, o in triples]


def test_end_to_end_scores(tmp_path: Path) -> None:
    docs, gold = tmp_path / "docs", tmp_path / "gold"
    docs.mkdir(), gold.mkdir()
    write(docs / "tiny.txt", TEXT)
    write(gold / "tiny.yaml", GOLD)
    evaluation = evaluate_paths(gold, docs, base_iri=BASE, builder=tiny_builder)
    assert evaluation.errors == []
    lc_scores = evaluation.sections["legal-characterization"].scores()
    assert (lc_scores["tp"], lc_scores["fp"], lc_scores["fn"]) == (1, 1, 1)  # war-crime / genocide
    cf = evaluation.sections["casualty-figure"]
    assert cf.scores()["f1"] == 1.0 and cf.scores(strict=True)["f1"] == 0.0  # women != children
    pa = evaluation.sections["perpetrator-attribution"].scores()
    assert (pa["tp"], pa["fp"], pa["fn"], pa["recall"]) == (0, 0, 1, 0.0)
    events = evaluation.sections["entity:event"].scores()
    assert (events["tp"], events["fp"], events["fn"]) == (1, 0, 0)
    assert evaluation.alias_recall == (1, 1)


def test_cli_reports_a_missing_gold_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    status = main(["evaluate", "--gold", str(tmp_path / "nope"), "--docs", str(tmp_path)])
    assert status == 2
    assert "not a folder of gold files" in capsys.readouterr().err


def test_cli_reports_a_document_the_gold_names_but_the_folder_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    write(tmp_path / "g.yaml", "document: absent.txt\nstatements: {main: {}}\n")
    status = main(
        ["evaluate", "--gold", str(tmp_path), "--docs", str(tmp_path), "--format", "json"]
    )
    assert status == 2
    assert "absent.txt" in capsys.readouterr().err


REPORTED_TEXT = 'The paper wrote: Ms Roe said "the Foo massacre was genocide". 12 died.\n'
REPORTED_GOLD = """
document: reported.txt
statements:
  main: {reports: [roe]}
  roe: {author: {id: jane-roe, names: [Jane Roe, Ms Roe]}}
events:
  - {id: foo-massacre, names: [Foo massacre]}
claims:
  - {type: legal-characterization, statement: roe, event: foo-massacre, category: genocide,
     evidence: "the Foo massacre was genocide"}
  - {type: casualty-figure, statement: main, event: foo-massacre, id: k, count: 12, kind: killed,
     evidence: "12 died"}
"""


def reported_builder(doc, base_iri: str) -> list[Quad]:
    """A reported statement found (author by label), but the figure put in her mouth."""
    g = iris.document_graph(base_iri, doc.doc_id)
    d = iris.document(base_iri, doc.doc_id)
    main_stmt = iris.statement(base_iri, doc.doc_id)
    roe_stmt = iris.statement(base_iri, doc.doc_id, 1)
    roe = iris.entity(base_iri, "person", "roe")  # key differs; label aligns it
    event = iris.entity(base_iri, "event", "foo-massacre")
    lc_claim = iris.claim(base_iri, doc.doc_id, "lc")
    cf_claim = iris.claim(base_iri, doc.doc_id, "cf")
    triples = [
        (d, RDF.type, CG.Document),
        (main_stmt, RDF.type, CG.Statement),
        (main_stmt, CG.reports, roe_stmt),
        (roe_stmt, RDF.type, CG.Statement),
        (roe_stmt, CG.author, roe),
        (roe, RDF.type, CG.Person),
        (roe, RDFS.label, Literal("Jane Roe")),
        (lc_claim, CG.claimType, CLAIM_TYPE["legal-characterization"]),
        (lc_claim, CG.statedIn, roe_stmt),
        (lc_claim, CG.about, event),
        (lc_claim, CG.legalCategory, LEGAL_CATEGORY.genocide),
        (cf_claim, CG.claimType, CLAIM_TYPE["casualty-figure"]),
        (cf_claim, CG.statedIn, roe_stmt),  # wrong speaker: the paper says it
        (cf_claim, CG.about, event),
        (cf_claim, CG["count"], Literal("12", datatype=XSD.nonNegativeInteger)),
        (cf_claim, CG.casualtyKind, CASUALTY_KIND.killed),
    ]
    return [Quad(s, p, o, g) for s, p, o in triples]


def test_claims_are_scored_with_the_statement_that_makes_them(tmp_path: Path) -> None:
    docs, gold = tmp_path / "docs", tmp_path / "gold"
    docs.mkdir(), gold.mkdir()
    write(docs / "reported.txt", REPORTED_TEXT)
    write(gold / "reported.yaml", REPORTED_GOLD)
    evaluation = evaluate_paths(gold, docs, base_iri=BASE, builder=reported_builder)
    assert evaluation.sections["legal-characterization"].scores()["f1"] == 1.0
    cf = evaluation.sections["casualty-figure"]
    assert (cf.tp, cf.fp, cf.fn) == (0, 1, 1)
    assert cf.false_hits[0].key == ("roe", "foo-massacre", "12", "killed")
    reports = evaluation.sections["metadata:reports"].scores()
    author = evaluation.sections["metadata:author"].scores()
    assert (reports["tp"], author["tp"], author["fp"]) == (1, 1, 0)


def test_cli_json_on_the_held_out_set_accounts_for_every_gold_unit(
    capsys: pytest.CaptureFixture,
) -> None:
    """Whatever the loader finds, hits plus misses are exactly the required gold units."""
    heldout = Path(__file__).resolve().parent / "heldout"
    status = main(
        [
            "evaluate",
            "--gold",
            str(heldout / "gold"),
            "--docs",
            str(heldout / "docs"),
            "--format",
            "json",
        ]
    )
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    expected: Counter[str] = Counter()
    for gold in load_gold_dir(heldout / "gold"):
        keys = {(u.section, u.key) for u in gold_units(gold) if not u.optional}
        expected.update(section for section, _ in keys)
    for section, count in expected.items():
        scores = report["sections"][section]
        assert scores["tp"] + scores["fn"] == count, section
        assert len(scores["misses"]) == scores["fn"]
    assert report["documents"] == sorted(report["documents"]) and len(report["documents"]) == 4


def test_per_document_rows_and_markdown_table() -> None:
    gold = [lc("a", "genocide"), lc("a", "massacre"), lc("b", "pogrom")]
    pred = [lc("a", "genocide"), lc("b", "pogrom"), lc("b", "torture")]
    evaluation = Evaluation(match_all(gold, pred), ["a", "b"])
    rows = {name: scores for name, scores, _ in per_document(evaluation)}
    assert (rows["a"]["tp"], rows["a"]["fp"], rows["a"]["fn"]) == (1, 0, 1)
    assert (rows["b"]["tp"], rows["b"]["fp"], rows["b"]["fn"]) == (1, 1, 0)
    markdown = render_markdown(evaluation, details=False)
    # 2 hits, 1 false hit, 1 miss: P = R = F1 = 2/3
    assert "| legal-characterization | 2 | 1 | 1 | 0.667 | 0.667 | 0.667 | 0.667 |" in markdown
    assert "| a | 1 | 0 | 1 | 1.000 | 0.500 | 0.667 | 0.667 |" in markdown
