"""Bytes -> :class:`~loaders.model.SourceDocument`: the first, pure loader stage.

Knows file types (plain text, Markdown, HTML, PDF), encodings and the checks that turn
bad input into a clear :class:`~loaders.model.DocumentError` instead of mojibake or a
partial graph: empty, binary, undecodable, truncated, oversized, hostile markup.

Given metadata is merged here, most specific last: what the file declares about itself
(front matter, HTML ``<meta>``, PDF info) and then what the caller gives (the
manifest entry or the metadata posted with a document), which wins.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from collections.abc import Mapping
from pathlib import PurePath

from loaders.frontmatter import split_front_matter
from loaders.html import check_nesting, declared_charset, extract_html
from loaders.manifest import clean_metadata
from loaders.model import DocumentError, SourceDocument
from loaders.pdf import extract_pdf
from ontology.iris import slugify

DEFAULT_MAX_DOCUMENT_BYTES = 20_000_000

MEDIA_TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".pdf": "application/pdf",
}
# Formats that are recognisably not documents, for a precise error message.
_BINARY_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or DOCX/ODT; save it as text, HTML or PDF)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Share of control characters above which decoded "text" is really binary data.
_MAX_CONTROL_SHARE = 0.01
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def document_id(file_name: str, metadata: Mapping[str, str]) -> str:
    """The manifest's ``id`` when given, else the slug of the file stem."""
    return metadata.get("id") or slugify(PurePath(file_name).stem)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_type_of(file_name: str, data: bytes) -> str:
    """Media type from the file suffix, else sniffed from the first bytes."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "application/pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if suffix:
        raise ValueError(
            f"unsupported file type {suffix!r}; supported: {', '.join(sorted(MEDIA_TYPES))}"
        )
    return "text/plain"


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """Decode strictly: a byte order mark wins, then ``encoding``, else UTF-8.

    Newlines are normalised to ``\\n`` (offsets then count one character per line
    break on every platform). Raises ValueError saying where decoding failed.
    """
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            encoding = bom_encoding
            if bom_encoding == "utf-8":
                data = data[len(bom) :]
            break
    encoding = encoding or "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    if not codec.startswith(("utf-16", "utf-32")):
        _reject_binary(data)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "utf-8" and exc.end == len(data) and "end of data" in exc.reason:
            raise ValueError(
                f"truncated: the file ends inside a multi-byte UTF-8 character "
                f"(byte {exc.start} of {len(data)})"
            ) from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"not valid {codec} text: byte {exc.start} (0x{data[exc.start]:02x}, line {line}) "
            f"{exc.reason}; "
            "if the file uses another encoding, declare it (manifest or front matter "
            "'encoding:', or <meta charset> in HTML)"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise ValueError(
            f"binary data, not text ({controls} control characters in the first "
            f"{len(sample)} characters)"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _reject_binary(data: bytes) -> None:
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ValueError(f"binary data: this is {kind}, not a text document")
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise ValueError(f"binary data, not text (NUL byte at offset {nul})")


def read_document(
    data: bytes,
    file_name: str,
    *,
    metadata: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> SourceDocument:
    """Turn a file's bytes into a SourceDocument, or raise DocumentError naming the file.

    ``metadata`` is what the caller knows (a manifest entry, posted metadata); it is
    checked like the manifest and overrides what the file declares about itself.
    """
    try:
        given = clean_metadata(metadata or {}, "given metadata")
        if not data:
            raise ValueError("empty file (0 bytes)")
        if len(data) > max_bytes:
            raise ValueError(
                f"too large: {len(data):,} bytes exceeds the limit of {max_bytes:,} "
                "(setting max_document_bytes)"
            )
        media_type = media_type_of(file_name, data)
        if media_type == "application/pdf":
            text, declared = extract_pdf(data)
        elif media_type == "text/html":
            html = decode_text(data, given.get("encoding") or declared_charset(data))
            check_nesting(html)
            text, declared = extract_html(html)
        else:
            declared, body = split_front_matter(data)
            text = decode_text(body, given.get("encoding") or declared.get("encoding"))
        if not text.strip():
            raise ValueError("no text: the document is empty or only whitespace")
    except ValueError as exc:
        raise DocumentError(file_name, str(exc)) from None
    merged = {**declared, **given}
    return SourceDocument(
        doc_id=document_id(file_name, given),
        file_name=file_name,
        sha256=sha256_hex(data),
        text=text,
        media_type=media_type,
        metadata={k: v for k, v in merged.items() if k not in {"id", "encoding"}},
    )
