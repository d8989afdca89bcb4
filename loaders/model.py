"""The records that pass between loader stages.

``read`` turns bytes into a :class:`SourceDocument`; ``build.document_quads`` turns a
SourceDocument into quads; ``ingest`` adds provenance and writes them. Each stage is a
pure function of its input, so it can be tested and run in a worker process alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceDocument:
    """A decoded document, ready for extraction.

    ``text`` is what evidence offsets refer to: the decoded text for plain text and
    Markdown (front matter removed, offsets still counted in this text), the extracted
    main text for HTML and PDF. ``metadata`` holds only values *given* for the document
    (manifest or front matter): title, url, publisher, date, language, author, ...
    Values inferred from the text are added later and marked as inferred.
    """

    doc_id: str
    file_name: str
    sha256: str
    text: str
    media_type: str = "text/plain"
    metadata: dict[str, str] = field(default_factory=dict)


class DocumentError(Exception):
    """A document cannot be loaded; the message names the file and what is wrong."""

    def __init__(self, file_name: str, problem: str) -> None:
        super().__init__(f"{file_name}: {problem}")
        self.file_name = file_name
        self.problem = problem
