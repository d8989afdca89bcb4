"""The spaCy pipeline: a blank English tokenizer, sentences, and rulers built from data.

No statistical model is used or downloaded. Two SpanRulers carry every curated list:
``gazetteer`` (reference entities and term lists from ``data/reference``) and ``cues``
(cue words from ``data/patterns/*.jsonl``, in spaCy's pattern format). Matches land in
``doc.spans["gazetteer"]`` and ``doc.spans["cues"]`` with the entry key or concept slug
as ``span.id_``. The pipeline is built once per process and per data directory.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from loaders.reference import ENTITY_FILES, TERM_FILES, load_reference

PATTERNS_DIRECTORY = Path(__file__).resolve().parents[1] / "data" / "patterns"
GAZETTEER = "gazetteer"
CUES = "cues"
MAX_TEXT_CHARACTERS = 100_000_000  # above any document the loader accepts (see _pipeline)
# term-list file -> span label
TERM_LABELS = {
    "legal_categories": "LEGAL_CATEGORY",
    "casualty_kinds": "CASUALTY_KIND",
    "victim_groups": "VICTIM_GROUP",
}


# Abbreviations after which a full stop ends no sentence (the tokenizer splits them off).
ABBREVIATIONS = {"art", "arts", "no", "nos", "para", "paras", "vol", "pp", "cf", "fig", "sec"}


@Language.component("line_sentences")
def line_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headings, signature lines and list items have no
    final full stop, and a sentence never runs across a paragraph in this genre. A full
    stop with no space after it ("Caliber.Az", "U.N.") ends no sentence.

    The bounds are written as one array: setting ``Token.is_sent_start`` one token at a
    time makes spaCy scan the whole document on every call, quadratic in its length."""
    starts = doc.to_array([SENT_START]).astype("int64")  # 1 start, -1 not, 0 unset
    for token in doc[:-1]:
        following = token.i + 1
        if "\n" in token.text or "\n" in token.whitespace_:
            starts[following] = 1
        elif token.text == "." and not token.whitespace_ and doc[following].is_alpha:
            starts[following] = -1
        elif (
            token.text == "."
            and token.i > 0
            and not doc[token.i - 1].whitespace_
            and doc[token.i - 1].lower_ in ABBREVIATIONS
        ):
            starts[following] = -1  # "Art. 7", "No. 12", "para. 3"
    doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy's own storage type
    return doc


def entity_label(kind: str) -> str:
    return kind.upper()


def _apostrophe_variants(name: str) -> tuple[str, ...]:
    """A name as written with a straight and with a typographic apostrophe."""
    return (name, name.replace("'", "\u2019"), name.replace("\u2019", "'"))


def gazetteer_patterns(reference_dir: Path | str | None) -> list[dict]:
    """SpanRuler patterns for every reference name (case-insensitive phrase) and acronym
    (case-sensitive token), labelled by kind with the entry key as id."""
    reference = load_reference(reference_dir)
    patterns: list[dict] = []
    for entry in reference.entries.values():
        label = entity_label(entry.kind)
        names = {variant for name in entry.names for variant in _apostrophe_variants(name)}
        patterns += [{"label": label, "pattern": name, "id": entry.key} for name in sorted(names)]
        # acronyms are matched case-sensitively by the "acronyms" ruler

    for stem in TERM_FILES:
        for form, slug in reference.terms.get(stem, {}).items():
            patterns.append({"label": TERM_LABELS[stem], "pattern": form, "id": slug})
    return patterns


def acronym_patterns(reference_dir: Path | str | None) -> list[dict]:
    """Case-sensitive phrase patterns for acronyms ("UN", not "un")."""
    reference = load_reference(reference_dir)
    return [
        {"label": entity_label(entry.kind), "pattern": acronym, "id": entry.key}
        for entry in reference.entries.values()
        for acronym in entry.acronyms
    ]


def _as_phrase(pattern: dict) -> dict:
    """A token pattern of plain lower-case words becomes a phrase pattern: the phrase
    matcher is far faster than the token matcher for long word lists."""
    tokens = pattern["pattern"]
    if isinstance(tokens, list) and all(
        set(t) == {"LOWER"} and isinstance(t["LOWER"], str) for t in tokens
    ):
        return {**pattern, "pattern": " ".join(t["LOWER"] for t in tokens)}
    return pattern


def cue_patterns(patterns_dir: Path | str | None) -> list[dict]:
    """Every pattern of ``data/patterns/*.jsonl`` (one JSON object a line)."""
    root = Path(patterns_dir) if patterns_dir is not None else PATTERNS_DIRECTORY
    patterns: list[dict] = []
    for path in sorted(root.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                pattern = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON: {error}") from error
            if not isinstance(pattern, dict) or "label" not in pattern or "pattern" not in pattern:
                raise ValueError(f"{path}:{number}: expected an object with label and pattern")
            patterns.append(_as_phrase(pattern))
    return patterns


@functools.lru_cache(maxsize=4)
def _pipeline(reference_dir: str | None, patterns_dir: str | None) -> Language:
    nlp = spacy.blank("en")
    # spaCy refuses texts over 1M characters (E088) to protect the memory of its parser
    # and NER, about 1 GB per 100,000 characters. This pipeline has neither: tokens,
    # sentence bounds and rulers grow linearly with the text. The loader's own cap
    # (setting max_document_bytes, 20 MB) bounds what reaches it.
    nlp.max_length = MAX_TEXT_CHARACTERS
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("line_sentences")
    gazetteer = nlp.add_pipe(
        "span_ruler",
        name=GAZETTEER,
        config={"spans_key": GAZETTEER, "phrase_matcher_attr": "LOWER", "validate": False},
    )
    gazetteer.add_patterns(gazetteer_patterns(reference_dir))  # type: ignore[attr-defined]
    acronyms = nlp.add_pipe(
        "span_ruler",
        name="acronyms",
        config={
            "spans_key": GAZETTEER,
            "phrase_matcher_attr": "ORTH",
            "overwrite": False,
            "validate": False,
        },
    )
    acronyms.add_patterns(acronym_patterns(reference_dir))  # type: ignore[attr-defined]
    cues = nlp.add_pipe(
        "span_ruler",
        name=CUES,
        config={"spans_key": CUES, "phrase_matcher_attr": "LOWER", "validate": True},
    )
    cues.add_patterns(cue_patterns(patterns_dir))  # type: ignore[attr-defined]
    return nlp


def get_pipeline(
    reference_dir: Path | str | None = None, patterns_dir: Path | str | None = None
) -> Language:
    """The shared pipeline for these data directories (built on first use, then cached)."""
    return _pipeline(
        None if reference_dir is None else str(reference_dir),
        None if patterns_dir is None else str(patterns_dir),
    )


KIND_OF_LABEL = {entity_label(kind): kind for kind, _ in ENTITY_FILES.values()}
