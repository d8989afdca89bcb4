"""PDF files whose text can be extracted (not scans): page text and document info.

Only title and author are taken from the information dictionary. Pages are joined by
a blank line, so offsets count in that joined text. A PDF that is encrypted, damaged or
has no text layer is an error naming the file, not an empty document.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from loaders.manifest import clean_metadata

PAGE_SEPARATOR = "\n\n"
# pypdf logs (rather than raises) many recoverable defects; those are not our errors.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract_pdf(data: bytes) -> tuple[str, dict[str, str]]:
    """Return (text of all pages, metadata from the document information dictionary)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValueError("the PDF is encrypted; decrypt it before loading")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, PyPdfError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"damaged or truncated PDF ({exc})") from None
    text = PAGE_SEPARATOR.join(page for page in pages if page)
    if not text.strip():
        raise ValueError(
            "the PDF has no extractable text (a scanned image?); load an OCR'd version"
        )
    return text, _metadata(info)


def _metadata(info: object) -> dict[str, str]:
    if not info:
        return {}
    candidates = {
        "title": getattr(info, "title", None),
        "author": getattr(info, "author", None),
    }
    # The info dictionary's CreationDate is when the file was made, not when the text was
    # published, so it is not given as the document's date.
    metadata: dict[str, str] = {}
    for key, value in candidates.items():
        if isinstance(value, str) and value.strip():
            try:
                metadata.update(clean_metadata({key: value}, "pdf"))
            except ValueError:
                continue
    return metadata
