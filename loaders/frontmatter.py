"""Front matter: YAML metadata between ``---`` lines at the very top of a text file.

It is split off the *bytes*, before the body is decoded, because it may declare the
body's ``encoding``. The front matter itself must be UTF-8 (ASCII in practice).
Offsets of evidence count in the body only: the front matter is not document text.
"""

from __future__ import annotations

import re

import yaml

from loaders.manifest import clean_metadata

_OPEN = re.compile(rb"\A---[ \t]*\r?\n")
_CLOSE = re.compile(rb"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
# Front matter longer than this is not front matter but a document that starts with a rule.
MAX_FRONT_MATTER_BYTES = 64 * 1024


def split_front_matter(data: bytes) -> tuple[dict[str, str], bytes]:
    """Return (given metadata, body bytes); no front matter gives ({}, data).

    A block that opens with ``---`` but is not a YAML mapping of metadata keys is an
    error, so a mistyped key is reported rather than loaded as text.
    """
    opening = _OPEN.match(data)
    if not opening:
        return {}, data
    closing = _CLOSE.search(data, opening.end(), opening.end() + MAX_FRONT_MATTER_BYTES)
    if not closing:
        return {}, data  # a horizontal rule at the top of a Markdown file, not front matter
    block = data[opening.end() : closing.start()]
    try:
        values = yaml.safe_load(block.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"front matter is not UTF-8 (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML: {exc}") from None
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValueError("front matter must be a mapping of metadata keys")
    if "id" in values:
        # The id names the document's graph before its bytes are decoded (to skip
        # unchanged documents), so it can only come from outside the file.
        raise ValueError("front matter cannot set the document id; give it in the manifest")
    return clean_metadata(values, "front matter"), data[closing.end() :]
