"""Claim extractors, one module per claim type, each ``extract(analysis, statements)``.

:func:`extract_claims` runs them all and merges repeats of the same claim (same type,
statement and value) into one record with several pieces of evidence.
"""

from __future__ import annotations

from loaders.analysis import Analysis
from loaders.attribution import Statement
from loaders.claims import (
    addressee,
    call,
    casualty,
    characterization,
    instrument,
    perpetrator,
    recognition,
)
from loaders.claims.base import ClaimRecord, Concept, merge

EXTRACTORS = (characterization, casualty, perpetrator, instrument, call, recognition, addressee)

__all__ = ["EXTRACTORS", "ClaimRecord", "Concept", "extract_claims"]


def extract_claims(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    records: list[ClaimRecord] = []
    for extractor in EXTRACTORS:
        records.extend(extractor.extract(analysis, statements))
    return merge(records)
