"""Reading: bytes of text, Markdown, HTML and PDF -> SourceDocument, and the given metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.html import check_nesting, declared_charset
from loaders.manifest import ManifestCache, ManifestError, parse_manifest
from loaders.model import DocumentError
from loaders.read import decode_text, document_id, read_document

DATA = Path(__file__).resolve().parents[1] / "data"


def make_pdf(*pages: str, title: str = "") -> bytes:
    """A minimal valid PDF with one Helvetica text line per page (offsets computed)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    info = len(objects) + 1
    objects.append(f"<< /Title ({title}) >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info,
        xref,
    )
    return bytes(out)


def test_seed_is_read_verbatim_with_slug_id() -> None:
    path = DATA / "corpus" / "004_4d9f4cdb39f3a4c3.txt"
    doc = read_document(path.read_bytes(), path.name)
    assert doc.doc_id == "004-4d9f4cdb39f3a4c3"
    assert doc.text == path.read_text(encoding="utf-8")
    assert doc.text.startswith("Thirty-three years have passed")
    assert doc.media_type == "text/plain"
    assert len(doc.sha256) == 64


def test_markdown_front_matter_is_metadata_and_offsets_count_in_body() -> None:
    data = (
        b"---\ntitle: A statement\ndate: 2024-01-20\nlanguage: en\n---\n"
        b"## Heading\n\nBody \xe2\x80\x9cquoted\xe2\x80\x9d text.\n"
    )
    doc = read_document(data, "statement.md")
    assert doc.media_type == "text/markdown"
    assert doc.metadata == {"title": "A statement", "date": "2024-01-20", "language": "en"}
    assert doc.text == "## Heading\n\nBody \u201cquoted\u201d text.\n"
    assert doc.text.index("\u201cquoted") == 17


def test_given_metadata_overrides_front_matter() -> None:
    data = b"---\ntitle: From the file\nauthor: A. Writer\n---\nText.\n"
    doc = read_document(data, "x.md", metadata={"title": "Curated", "id": "my-doc"})
    assert doc.doc_id == "my-doc"
    assert doc.metadata == {"title": "Curated", "author": "A. Writer"}


def test_declared_encoding_in_front_matter_decodes_the_body() -> None:
    body = "Déclaration du médiateur.".encode("cp1252")
    doc = read_document(b"---\nencoding: windows-1252\n---\n" + body, "f.txt")
    assert doc.text == "Déclaration du médiateur."
    assert "encoding" not in doc.metadata


def test_utf8_bom_is_dropped_and_crlf_normalised() -> None:
    doc = read_document(b"\xef\xbb\xbfLine one\r\nLine two\r\n", "bom.txt")
    assert doc.text == "Line one\nLine two\n"


def test_utf16_with_bom_is_decoded() -> None:
    assert decode_text("Khojaly 1992".encode("utf-16")) == "Khojaly 1992"


def test_html_main_text_and_metadata() -> None:
    html = """<!doctype html><html lang="en-GB"><head>
      <meta charset="windows-1252"><title>Statement | News site</title>
      <meta name="description" content="Ombudsman statement">
      <meta name="author" content="Jane Roe">
      <meta property="og:site_name" content="Example News">
      <meta property="article:published_time" content="2024-01-20T09:30:00+04:00">
      <link rel="canonical" href="https://news.example/statement">
      <style>p {color: red}</style></head>
    <body><header>Site banner</header><nav><a href="/">Home</a> | <a>World</a></nav>
    <main><article><header><h1>Statement on the anniversary</h1></header>
      <p>On the night of January 19&ndash;20, 1990, <b>150</b> people
         were killed.</p><script>track()</script>
      <aside>Related: other news</aside><p>Second paragraph.</p></article></main>
    <footer>Copyright</footer></body></html>"""
    doc = read_document(html.encode("cp1252"), "page.html")
    assert doc.text == (
        "Statement on the anniversary\n"
        "On the night of January 19\u201320, 1990, 150 people were killed.\n"
        "Second paragraph."
    )
    assert doc.metadata == {
        "title": "Statement | News site",
        "description": "Ombudsman statement",
        "author": "Jane Roe",
        "date": "2024-01-20",
        "language": "en-GB",
        "url": "https://news.example/statement",
        "publisher": "Example News",
    }
    assert doc.media_type == "text/html"


def test_html_declared_charset_is_honoured() -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Tōkyō? no: café</p></body>'
    data = html.replace("Tōkyō? no: ", "").encode("latin-1")
    assert read_document(data, "p.htm").text == "café"


def test_deep_nesting_is_refused_before_parsing() -> None:
    check_nesting("<div>" * 100 + "<p>x" * 5000)  # unclosed <p>s do not nest
    with pytest.raises(DocumentError, match=r"deep\.html: markup is nested deeper than 512"):
        read_document(b"<html><body>" + b"<div>" * 100_000 + b"x", "deep.html")
    utf16 = ("<html><body>" + "<div>" * 100_000).encode("utf-16")  # NUL bytes between tags
    with pytest.raises(DocumentError, match="nested deeper than 512"):
        read_document(utf16, "deep16.html")


def test_pdf_text_and_title() -> None:
    doc = read_document(make_pdf("First page text", "Second page", title="Report"), "r.pdf")
    assert doc.text == "First page text\n\nSecond page"
    assert doc.metadata == {"title": "Report"}
    assert doc.media_type == "application/pdf"


def test_pdf_without_suffix_is_sniffed() -> None:
    assert read_document(make_pdf("Sniffed"), "download").text == "Sniffed"


def test_truncated_pdf_is_an_error() -> None:
    data = make_pdf("Whole")
    with pytest.raises(DocumentError, match=r"^cut\.pdf: "):
        read_document(data[: len(data) // 3], "cut.pdf")


def test_document_id_prefers_given_id() -> None:
    assert document_id("dir/Some File (2).txt", {}) == "some-file-2"
    assert document_id("x.txt", {"id": "chosen"}) == "chosen"


def test_manifest_entries_and_errors(tmp_path: Path) -> None:
    manifest = parse_manifest(
        "corpus/a.txt: {language: en, date: 1990}\n", tmp_path, "manifest.yaml"
    )
    assert manifest.metadata_for(tmp_path / "corpus" / "a.txt") == {
        "language": "en",
        "date": "1990",
    }
    assert manifest.metadata_for(tmp_path / "corpus" / "b.txt") == {}
    by_name = parse_manifest("b.txt: {language: fr}\n", tmp_path, "manifest.yaml")
    assert by_name.metadata_for(tmp_path / "corpus" / "b.txt") == {"language": "fr"}
    with pytest.raises(ManifestError, match=r"manifest\.yaml: a\.txt: unknown metadata key"):
        parse_manifest("a.txt: {autor: X}\n", tmp_path, "manifest.yaml")
    with pytest.raises(ManifestError, match="not an ISO 8601 date"):
        parse_manifest("a.txt: {date: last week}\n", tmp_path, "manifest.yaml")
    with pytest.raises(ManifestError, match="is not a valid IRI"):
        parse_manifest("a.txt: {url: 'https://ex.org/a b'}\n", tmp_path, "manifest.yaml")
    with pytest.raises(ManifestError, match="must be an http"):
        parse_manifest("a.txt: {url: 'ftp://ex.org/a'}\n", tmp_path, "manifest.yaml")
    with pytest.raises(ManifestError, match="given to both"):
        parse_manifest("a.txt: {id: same}\nb.txt: {id: same}\n", tmp_path, "manifest.yaml")


def test_bundled_manifest_covers_every_seed_and_is_valid() -> None:
    cache = ManifestCache()
    seeds = sorted((DATA / "corpus").glob("*.txt"))
    assert len(seeds) == 5
    for seed in seeds:
        assert cache.metadata_for(seed)["language"] == "en"


def test_html_json_ld_fills_what_meta_tags_leave_out() -> None:
    html = """<html><head><title>Page</title>
      <meta name="author" content="From Meta">
      <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Site"},
        {"@type": "NewsArticle", "headline": "Ombudsman marks anniversary",
         "datePublished": "2025-02-26T08:00:00Z", "author": [{"name": "A. Writer"}],
         "publisher": {"@type": "Organization", "name": "Example Agency"}}]}</script>
      <script type="application/ld+json">{not json</script>
    </head><body><p>Text.</p></body></html>"""
    doc = read_document(html.encode(), "news.html")
    assert doc.text == "Text."
    assert doc.metadata == {
        "title": "Ombudsman marks anniversary",  # the headline beats <title>
        "author": "From Meta",
        "date": "2025-02-26",
        "publisher": "Example Agency",
    }


def test_front_matter_cannot_set_the_document_id() -> None:
    with pytest.raises(DocumentError, match="front matter cannot set the document id"):
        read_document(b"---\nid: other\n---\nText\n", "x.md")


def test_html_without_semantic_elements_drops_site_furniture_by_class() -> None:
    html = """<html><body class="page has-sidebar">
      <div id="cookie-banner">We use cookies. <button>OK</button></div>
      <div class="top-menu"><a>Home</a> <a>About</a></div>
      <div class="content"><h2>Press release</h2><p>The Network condemns the pogrom.</p>
        <ul class="share_buttons"><li>Share</li></ul></div>
      <div class="sidebar"><p>Most read</p></div>
      <div class="site-footer">Contact us</div></body></html>"""
    doc = read_document(html.encode(), "release.html")
    assert doc.text == "Press release\nThe Network condemns the pogrom."


def test_decoding_error_names_byte_and_line() -> None:
    data = "First line\nSecond line\nThird: Déclaration".encode("latin-1")
    with pytest.raises(DocumentError) as raised:
        read_document(data, "notes.txt")
    assert str(raised.value).startswith(
        "notes.txt: not valid utf-8 text: byte 31 (0xe9, line 3) invalid continuation byte"
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"<meta charset=utf-8>", "utf-8"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=Windows-1251">', "cp1251"),
        (b"<meta charset='UTF-16'>", "utf-8"),  # ASCII bytes cannot be UTF-16
        (b"<title>no declaration</title>", None),
    ],
)
def test_declared_charset_forms(head: bytes, expected: str | None) -> None:
    assert declared_charset(b"<html><head>" + head + b"</head>") == expected


def test_unknown_declared_charset_is_an_error() -> None:
    with pytest.raises(DocumentError, match="declares an unknown charset 'x-klingon'"):
        read_document(b'<html><meta charset="x-klingon"><p>x</p>', "k.html")
