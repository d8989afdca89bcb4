"""The SHACL shapes: the hand-written example conforms, each broken variant fails its rule.

Each variant is one SPARQL Update applied to the example graph in a pyoxigraph store;
the test asserts the focus node, the property and the plain-words message of the one
violation it must cause.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import RdfFormat

from ontology.validate import Violation, graph_from_triples, validate
from ontology.vocab import CG, NIF, PREFIXES
from tests.conftest import FIXTURES

EXAMPLE = FIXTURES / "example.trig"
SECOND_SOURCE = FIXTURES / "example-second-source.trig"
TEXTS = FIXTURES / "example-text"

ID = "https://w3id.org/claimgraph/id/"
DOC = f"{ID}document/000-638dc1acbe19e14a"
STMT = f"{ID}statement/000-638dc1acbe19e14a-reported-1"
CLAIM_CAH = f"{ID}claim/000-638dc1acbe19e14a-cah"
CLAIM_KILLED = f"{ID}claim/000-638dc1acbe19e14a-killed"
CLAIM_INJURED = f"{ID}claim/000-638dc1acbe19e14a-injured"
EV_CAH = f"{ID}evidence/000-638dc1acbe19e14a-329-411"
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def example_store(*paths: Path) -> ox.Store:
    store = ox.Store()
    for path in paths or (EXAMPLE,):
        store.load(path=str(path), format=RdfFormat.TRIG)
    return store


def violations_after(update: str) -> list[Violation]:
    store = example_store()
    store.update(PROLOGUE + update)
    return validate(graph_from_triples(store))


@pytest.mark.parametrize("paths", [(EXAMPLE,), (EXAMPLE, SECOND_SOURCE)], ids=["one", "two"])
def test_example_conforms(paths: tuple[Path, ...]) -> None:
    assert validate(graph_from_triples(example_store(*paths))) == []


@pytest.mark.parametrize("path", [EXAMPLE, SECOND_SOURCE], ids=["example", "second-source"])
def test_example_evidence_is_the_text_at_its_offsets(path: Path) -> None:
    """text[begin:end] == anchorOf for every evidence, and the text is the seed file's."""
    store = example_store(path)
    docs = {q.subject for q in store.quads_for_pattern(None, CG.text, None)}
    assert len(docs) == 1
    (doc,) = docs
    (file_name,) = [q.object.value for q in store.quads_for_pattern(doc, CG.fileName, None)]
    raw = (TEXTS / file_name).read_bytes()
    text = raw.decode("utf-8")
    (stored_text,) = [q.object.value for q in store.quads_for_pattern(doc, CG.text, None)]
    assert stored_text == text
    (sha,) = [q.object.value for q in store.quads_for_pattern(doc, CG.sha256, None)]
    assert sha == hashlib.sha256(raw).hexdigest()
    evidence = {q.subject for q in store.quads_for_pattern(None, NIF.referenceContext, doc)}
    assert len(evidence) == (9 if path == EXAMPLE else 4)
    for ev in evidence:

        def value(prop: ox.NamedNode, ev: ox.NamedNode = ev) -> str:
            (v,) = [q.object.value for q in store.quads_for_pattern(ev, prop, None)]
            return v

        begin, end = int(value(NIF.beginIndex)), int(value(NIF.endIndex))
        assert text[begin:end] == value(NIF.anchorOf)
        assert ev.value.endswith(f"-{begin}-{end}")  # evidence IRIs are {doc}-{begin}-{end}


# (update, focus, property, words the message must contain)
BROKEN = {
    "claim-not-stated": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{CLAIM_CAH}> cg:statedIn ?s }} }}",
        CLAIM_CAH,
        CG.statedIn.value,
        "stated in exactly one statement",
    ),
    "claim-stated-twice": (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{CLAIM_CAH}> cg:statedIn "
        f"<{ID}statement/000-638dc1acbe19e14a> }} }}",
        CLAIM_CAH,
        CG.statedIn.value,
        "stated in exactly one statement",
    ),
    "genocide-asserted-on-the-event": (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{ID}event/black-january> cg:legalCategory "
        f"lc:genocide }} }}",
        f"{ID}event/black-january",
        CG.legalCategory.value,
        "a contested value: only a cg:Claim stated in a cg:Statement",
    ),
    "count-asserted-on-a-statement": (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{STMT}> cg:count 150 }} }}",
        STMT,
        CG.term("count").value,
        "(attribute, never assert)",
    ),
    "claim-without-type": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{CLAIM_CAH}> cg:claimType ?t }} }}",
        CLAIM_CAH,
        CG.claimType.value,
        "exactly one claim type",
    ),
    "claim-type-outside-scheme": (
        f"DELETE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:claimType ?t }} }} "
        f"INSERT {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:claimType lc:genocide }} }} "
        f"WHERE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:claimType ?t }} }}",
        CLAIM_KILLED,
        CG.claimType.value,
        "concept of the claim-type scheme",
    ),
    "claim-about-nothing": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{CLAIM_CAH}> cg:about ?e }} }}",
        CLAIM_CAH,
        None,
        "must be about at least one event",
    ),
    "claim-about-a-non-event": (
        f"DELETE {{ GRAPH ?g {{ <{CLAIM_CAH}> cg:about ?e }} }} "
        f"INSERT {{ GRAPH ?g {{ <{CLAIM_CAH}> cg:about <{ID}place/baku> }} }} "
        f"WHERE {{ GRAPH ?g {{ <{CLAIM_CAH}> cg:about ?e }} }}",
        CLAIM_CAH,
        CG.about.value,
        "only be about a cg:Event",
    ),
    "claim-without-evidence": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{CLAIM_CAH}> cg:evidence ?e }} }}",
        CLAIM_CAH,
        CG.evidence.value,
        "at least one piece of evidence",
    ),
    "evidence-without-quote": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:anchorOf ?q }} }}",
        EV_CAH,
        NIF.anchorOf.value,
        "quote exactly one text",
    ),
    "evidence-without-begin": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex ?b }} }}",
        EV_CAH,
        NIF.beginIndex.value,
        "exactly one begin offset",
    ),
    "evidence-without-end": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:endIndex ?b }} }}",
        EV_CAH,
        NIF.endIndex.value,
        "exactly one end offset",
    ),
    "evidence-without-document": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:referenceContext ?d }} }}",
        EV_CAH,
        NIF.referenceContext.value,
        "name the one document it quotes",
    ),
    "evidence-at-wrong-offsets": (
        f"DELETE {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex ?b ; nif:endIndex ?e }} }} "
        f"INSERT {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex 330 ; nif:endIndex 412 }} }} "
        f"WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex ?b ; nif:endIndex ?e }} }}",
        EV_CAH,
        NIF.anchorOf.value,
        "not the document's text at these offsets",
    ),
    "evidence-begin-after-end": (
        f"DELETE {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex ?b }} }} "
        f"INSERT {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex 500 }} }} "
        f"WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex ?b }} }} ; "
        # keep the quote check out of this case: the document has no text any more
        f"DELETE WHERE {{ GRAPH ?g {{ <{DOC}> cg:text ?t }} }}",
        EV_CAH,
        NIF.beginIndex.value,
        "begin offset must be smaller than the end offset",
    ),
    "evidence-negative-offset": (
        f"DELETE {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex ?b }} }} "
        f'INSERT {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex "-1"^^xsd:integer }} }} '
        f"WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:beginIndex ?b }} }} ; "
        f"DELETE WHERE {{ GRAPH ?g {{ <{DOC}> cg:text ?t }} }}",
        EV_CAH,
        NIF.beginIndex.value,
        "begin offset must be an integer >= 0",
    ),
    "evidence-from-another-document": (
        f"DELETE {{ GRAPH ?g {{ <{EV_CAH}> nif:referenceContext ?d }} }} "
        f"INSERT {{ GRAPH ?g {{ <{EV_CAH}> nif:referenceContext <{ID}document/001-x> . "
        f'<{ID}document/001-x> a cg:Document ; cg:sha256 "{"0" * 64}" }} }} '
        f"WHERE {{ GRAPH ?g {{ <{EV_CAH}> nif:referenceContext ?d }} }}",
        CLAIM_CAH,
        CG.evidence.value,
        "quotes another document",
    ),
    "statement-without-document": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{STMT}> cg:sourceDocument ?d }} }}",
        STMT,
        CG.sourceDocument.value,
        "exactly one source document",
    ),
    "document-without-checksum": (
        f"DELETE WHERE {{ GRAPH ?g {{ <{DOC}> cg:sha256 ?s }} }}",
        DOC,
        CG.sha256.value,
        "exactly one SHA-256 checksum",
    ),
    "document-with-malformed-checksum": (
        f"DELETE {{ GRAPH ?g {{ <{DOC}> cg:sha256 ?s }} }} "
        f'INSERT {{ GRAPH ?g {{ <{DOC}> cg:sha256 "D944" }} }} '
        f"WHERE {{ GRAPH ?g {{ <{DOC}> cg:sha256 ?s }} }}",
        DOC,
        CG.sha256.value,
        "64 lower-case hex digits",
    ),
    "negative-count": (
        f"DELETE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:count ?n }} }} "
        f'INSERT {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:count "-150"^^xsd:integer }} }} '
        f"WHERE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:count ?n }} }}",
        CLAIM_KILLED,
        CG.term("count").value,
        "cannot be negative",
    ),
    "count-not-an-integer": (
        f"DELETE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:count ?n }} }} "
        f'INSERT {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:count "150.5"^^xsd:decimal }} }} '
        f"WHERE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:count ?n }} }}",
        CLAIM_KILLED,
        CG.term("count").value,
        "must be an integer",
    ),
    "part-larger-than-whole": (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{CLAIM_INJURED}> cg:partOf <{CLAIM_KILLED}> }} }}",
        CLAIM_INJURED,
        CG.partOf.value,
        "larger than the figure it is part of",
    ),
    "part-of-a-non-figure": (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{CLAIM_KILLED}> cg:partOf <{CLAIM_CAH}> }} }}",
        CLAIM_KILLED,
        CG.partOf.value,
        "only be part of another casualty figure",
    ),
    "url-as-iri-node": (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{DOC}> schema:url <https://example.org/a> }} }}",
        DOC,
        "https://schema.org/url",
        "must be an xsd:anyURI literal",
    ),
    "date-as-plain-string": (
        f"DELETE {{ GRAPH ?g {{ <{STMT}> dct:date ?d }} }} "
        f'INSERT {{ GRAPH ?g {{ <{STMT}> dct:date "January 2026" }} }} '
        f"WHERE {{ GRAPH ?g {{ <{STMT}> dct:date ?d }} }}",
        STMT,
        "http://purl.org/dc/terms/date",
        "xsd:date or an xsd:gYear",
    ),
    "event-start-as-datetime": (
        "DELETE { GRAPH ?g { ?e schema:startDate ?d } } "
        'INSERT { GRAPH ?g { ?e schema:startDate "1990-01-19T00:00:00Z"^^xsd:dateTime } } '
        "WHERE { GRAPH ?g { ?e schema:startDate ?d } }",
        f"{ID}event/black-january",
        "https://schema.org/startDate",
        "start date must be an xsd:date or an xsd:gYear",
    ),
    "casualty-kind-from-wrong-scheme": (
        f"DELETE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:casualtyKind ?k }} }} "
        f"INSERT {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:casualtyKind vg:children }} }} "
        f"WHERE {{ GRAPH ?g {{ <{CLAIM_KILLED}> cg:casualtyKind ?k }} }}",
        "https://w3id.org/claimgraph/concept/victim-group/children",
        "http://www.w3.org/2004/02/skos/core#inScheme",
        "concept of the casualty-kind scheme",
    ),
    "class-and-claim-type-disagree": (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{CLAIM_KILLED}> a cg:LegalCharacterization }} }}",
        CLAIM_KILLED,
        CG.claimType.value,
        "must have claim type ct:legal-characterization",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_variant_fails_its_rule(case: str) -> None:
    update, focus, prop, words = BROKEN[case]
    found = violations_after(update)
    matching = [v for v in found if v.focus == focus and v.path == prop]
    assert matching, f"no violation on {focus} {prop}; got: {[str(v) for v in found]}"
    assert any(words in v.message for v in matching), [v.message for v in matching]
    # The variant breaks one rule; nothing unrelated is reported.
    assert {v.focus for v in found} == {focus}, [str(v) for v in found]


def test_addressing_claim_may_be_about_no_event() -> None:
    """The one exception to 'about at least one event', and its converse."""
    claim = f"{ID}claim/000-638dc1acbe19e14a-addressing"
    insert = (
        f"INSERT DATA {{ GRAPH <urn:x> {{ <{claim}> a cg:Claim , cg:Addressing ; "
        f"cg:claimType ct:addressee ; cg:statedIn <{STMT}> ; "
        f"cg:addressee <{ID}organization/united-nations> ; cg:evidence <{EV_CAH}> }} }}"
    )
    assert violations_after(insert) == []
    about = f" ; INSERT DATA {{ GRAPH <urn:x> {{ <{claim}> cg:about <{ID}event/black-january> }} }}"
    found = violations_after(insert + about)
    assert [(v.focus, v.path, v.message) for v in found] == [
        (claim, CG.about.value, "an addressing claim is about no event")
    ]


def test_violation_reads_in_plain_words() -> None:
    (violation,) = violations_after(
        f"DELETE WHERE {{ GRAPH ?g {{ <{STMT}> cg:sourceDocument ?d }} }}"
    )
    assert str(violation) == (
        f"{STMT} cg:sourceDocument: a statement must have exactly one source document"
    )
