"""HTML pages: the main text a reader sees, and the metadata the page declares.

Navigation, banners, footers, asides, scripts and styles are dropped; when the page
marks its main content (``<main>``, ``<article>``, ``role=main``) only that is kept.
Block elements end lines, so paragraphs stay apart and inline markup does not split
words. Metadata comes from ``<title>``, ``<meta>`` (description, author, dates),
Open Graph (``og:*``), ``<html lang>`` and ``<link rel=canonical>``; a value that fails
the checks of :func:`loaders.manifest.clean_metadata` is dropped, not fatal, because
pages often carry sloppy tags.
"""

from __future__ import annotations

import codecs
import json
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from loaders.manifest import clean_metadata

# Deeper nesting than this is hostile or broken: lexbor's tree building grows
# quadratically with depth (200,000 nested divs take over a minute).
MAX_NESTING_DEPTH = 512
# A page's form controls may list a few hundred options (countries); tens of thousands
# are an attack on the parser (see check_nesting).
MAX_OPTIONS = 10_000

DROPPED_TAGS = frozenset(
    {
        "nav",
        "aside",
        "footer",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "math",
        "form",
        "button",
        "select",
        "textarea",
        "head",
        "dialog",
        "object",
        "embed",
        "canvas",
        "_comment",
    }
)
DROPPED_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
# Words in class or id that mark site furniture on pages without semantic elements
# ("cookie-banner", "share_buttons", "related-posts"); whole words only.
BOILERPLATE_NAMES = frozenset(
    [
        "cookie",
        "cookies",
        "consent",
        "share",
        "sharing",
        "social",
        "newsletter",
        "subscribe",
        "breadcrumb",
        "breadcrumbs",
        "advert",
        "advertisement",
        "ads",
        "promo",
        "sidebar",
        "navbar",
        "menu",
        "related",
        "comments",
        "footer",
    ]
)
_NAME_PARTS = re.compile(r"[^a-z0-9]+")
_CONTAINERS = frozenset({"html", "body", "main", "article"})
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    }
)
# Elements without content, and elements whose end tag may be omitted: neither deepens
# the tree the way an unclosed <div> does, so the nesting check skips them.
_VOID_OR_OPTIONAL_END = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "option",
        "optgroup",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "rb",
        "rt",
        "rp",
    ]
)
# [^<>]* (not [^>]*?): a scan never runs past the next "<", so "<a<a<a..." stays linear.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*?(/?)>")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_END_OF_BLOCK = object()


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag within its first 4 KiB."""
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise ValueError(f"the page declares an unknown charset {name!r}") from None
    # A page cannot declare itself UTF-16 in ASCII bytes; browsers then read UTF-8.
    return "utf-8" if codec.startswith("utf-16") else codec


def check_nesting(html: str, max_depth: int = MAX_NESTING_DEPTH) -> None:
    """Reject markup that would make the parser slow before the parser sees it.

    Two shapes do: nesting deeper than ``max_depth``, and very many ``<option>``
    elements (lexbor's "in select" mode is quadratic: 200,000 options take minutes).
    Runs on the decoded text, so a UTF-16 page is checked like any other.
    """
    stack: list[str] = []
    options = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name == "option" and not closing:
            options += 1
            if options > MAX_OPTIONS:
                raise ValueError(
                    f"markup has more than {MAX_OPTIONS:,} <option> elements "
                    f"(at character {match.start()}); this is not a text document"
                )
        if name in _VOID_OR_OPTIONAL_END or self_closing:
            continue
        if not closing:
            stack.append(name)
            if len(stack) > max_depth:
                raise ValueError(
                    f"markup is nested deeper than {max_depth} elements "
                    f"(at character {match.start()})"
                )
        elif name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name) :]


def extract_html(html: str) -> tuple[str, dict[str, str]]:
    """Return (main text, declared metadata) of a decoded HTML page."""
    tree = LexborHTMLParser(html)
    return _main_text(tree), _metadata(tree)


def _main_root(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in ("main", "[role=main]", "article"):
        node = tree.css_first(selector)
        if node is not None:
            return node
    return tree.body or tree.root


def _dropped(node: LexborNode, inside_main: bool) -> bool:
    tag = node.tag
    if tag in DROPPED_TAGS:
        return True
    if tag == "header" and not inside_main:
        return True  # a site banner; the header of an article is kept
    attributes = node.attributes
    if (
        "hidden" in attributes
        or attributes.get("aria-hidden") == "true"
        or attributes.get("role") in DROPPED_ROLES
    ):
        return True
    if tag in _CONTAINERS:  # <body class="has-sidebar"> is the page, not furniture
        return False
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
    return bool(BOILERPLATE_NAMES.intersection(_NAME_PARTS.split(names)))


def _main_text(tree: LexborHTMLParser) -> str:
    root = _main_root(tree)
    if root is None:
        return ""
    inside_main = root.tag in {"main", "article"} or root.attributes.get("role") == "main"
    pieces: list[str] = []
    stack: list[object] = [root]
    while stack:  # iterative: deep trees must not exhaust Python's recursion limit
        item = stack.pop()
        if item is _END_OF_BLOCK:
            pieces.append("\n")
            continue
        assert isinstance(item, LexborNode)
        tag = item.tag
        if tag == "-text":  # source line breaks are spaces; only blocks end lines
            pieces.append(_SPACE.sub(" ", item.text(deep=False)))
            continue
        if item is not root and _dropped(item, inside_main):
            continue
        if tag == "br":
            pieces.append("\n")
            continue
        if tag in BLOCK_TAGS:
            pieces.append("\n")
            stack.append(_END_OF_BLOCK)
        children = []
        child = item.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _meta(tree: LexborHTMLParser, *names: str) -> str | None:
    for name in names:
        for attribute in ("property", "name", "itemprop"):
            node = tree.css_first(f'meta[{attribute}="{name}" i]')
            if node is not None and (node.attributes.get("content") or "").strip():
                return node.attributes["content"].strip()
    return None


def _metadata(tree: LexborHTMLParser) -> dict[str, str]:
    title_node = tree.css_first("title")
    canonical = tree.css_first('link[rel="canonical" i]')
    html = tree.css_first("html")
    locale = _meta(tree, "og:locale")
    linked_data = _json_ld(tree)
    candidates = {
        # <title> often carries the site name ("... | Site"): the last resort
        "title": _meta(tree, "og:title", "dc.title", "dcterms.title")
        or linked_data.pop("title", None)
        or (title_node.text(strip=True) if title_node is not None else None),
        "description": _meta(tree, "description", "og:description", "dc.description"),
        "author": _meta(tree, "author", "dc.creator", "dcterms.creator", "article:author"),
        "date": _meta(
            tree,
            "article:published_time",
            "date",
            "dc.date",
            "dcterms.date",
            "dcterms.issued",
            "datePublished",
        ),
        "language": (html.attributes.get("lang") if html is not None else None)
        or (locale.replace("_", "-") if locale else None),
        "url": (canonical.attributes.get("href") if canonical is not None else None)
        or _meta(tree, "og:url"),
        "publisher": _meta(tree, "og:site_name", "dc.publisher", "dcterms.publisher"),
    }
    for key, value in linked_data.items():
        candidates[key] = candidates[key] or value
    metadata: dict[str, str] = {}
    for key, value in candidates.items():
        if not value or (key == "author" and value.startswith(("http://", "https://"))):
            continue
        try:
            metadata.update(clean_metadata({key: _SPACE.sub(" ", value)}, "html"))
        except ValueError:
            continue  # a malformed tag is the page's problem; the text still loads
    return metadata


_JSON_LD_KEYS = {
    "headline": "title",
    "datePublished": "date",
    "inLanguage": "language",
    "url": "url",
    "description": "description",
}


def _name(value: object) -> str | None:
    """A schema.org value that may be a string, a {"name": ...} object or a list of them."""
    if isinstance(value, list):
        names = [n for n in map(_name, value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


def _json_ld(tree: LexborHTMLParser) -> dict[str, str]:
    """Article metadata from schema.org JSON-LD (news sites carry it); fills gaps only."""
    for node in tree.css('script[type="application/ld+json" i]'):
        try:
            data = json.loads(node.text(deep=True))
        except ValueError:
            continue
        items = data.get("@graph", [data]) if isinstance(data, dict) else data
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or "headline" not in item:
                continue
            found = {key: item.get(ld) for ld, key in _JSON_LD_KEYS.items()}
            found["author"] = _name(item.get("author"))
            found["publisher"] = _name(item.get("publisher"))
            return {k: v for k, v in found.items() if isinstance(v, str) and v.strip()}
    return {}
