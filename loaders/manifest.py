"""Given metadata: the manifest (``data/manifest.yaml``) and the rules every source obeys.

A manifest maps file names (paths relative to the manifest's folder, ``/``-separated,
or bare file names) to what is *known* about each document from outside its text::

    corpus/ombudsperson-statement.txt:
      language: en
      url: https://example.org/statement   # only when actually known

Front matter and HTML ``<meta>`` tags give the same keys; :func:`clean_metadata`
checks all of them the same way, so a typo (``autor:``) is an error, not a silently
ignored value. Given values are kept apart from what the builder infers from the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import NamedNode

MANIFEST_NAME = "manifest.yaml"

# Keys a document's given metadata may carry, and what each means.
METADATA_KEYS: dict[str, str] = {
    "id": "document id (IRI key); default: slug of the file stem",
    "url": "where the document was published",
    "publisher": "outlet or site that published it",
    "date": "publication date, ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)",
    "language": "BCP 47 language tag, e.g. en",
    "title": "title as published",
    "author": "author's name",
    "description": "summary given by the publisher (HTML meta description)",
    "encoding": "character encoding of the file's bytes, e.g. windows-1252",
}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


class ManifestError(ValueError):
    """The manifest itself is malformed; names the manifest and the entry."""


def normalize_date(value: str) -> str | None:
    """The ISO date prefix of ``value`` (``2024-01-20T10:00+04:00`` -> ``2024-01-20``).

    Returns None when the value does not start with an ISO year; callers decide
    whether that is an error (manifest) or a value to drop (an HTML meta tag).
    """
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match.groups()
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        return None
    return "-".join(part for part in (year, month, day) if part)


def clean_metadata(values: Mapping[str, Any], where: str) -> dict[str, str]:
    """Check and normalise given metadata; ``where`` names its source in errors."""
    unknown = sorted(set(values) - set(METADATA_KEYS))
    if unknown:
        raise ValueError(
            f"{where}: unknown metadata key(s) {', '.join(unknown)}; "
            f"known: {', '.join(METADATA_KEYS)}"
        )
    cleaned: dict[str, str] = {}
    for key, raw in values.items():
        if raw is None:
            continue
        if not isinstance(raw, str | int | float) and not hasattr(raw, "isoformat"):
            raise ValueError(f"{where}: {key} must be a single value, got {type(raw).__name__}")
        value = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
        value = value.strip()
        if not value:
            continue
        if key == "date":
            date = normalize_date(value)
            if date is None:
                raise ValueError(f"{where}: date {value!r} is not an ISO 8601 date")
            value = date
        elif key == "id" and not _ID.match(value):
            raise ValueError(f"{where}: id {value!r} must match [a-z0-9][a-z0-9-]*")
        elif key == "language" and not _LANGUAGE.match(value):
            raise ValueError(f"{where}: language {value!r} is not a language tag like 'en'")
        elif key == "url":
            _check_url(value, where)
        cleaned[key] = value
    return cleaned


def _check_url(value: str, where: str) -> None:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{where}: url {value!r} must be an http(s) URL")
    try:
        NamedNode(value)  # it becomes the object of schema:url
    except ValueError as exc:
        raise ValueError(f"{where}: url {value!r} is not a valid IRI ({exc})") from None


@dataclass(frozen=True)
class Manifest:
    """Metadata entries keyed by path relative to ``folder``."""

    folder: Path
    entries: dict[str, dict[str, str]] = field(default_factory=dict)

    def metadata_for(self, path: Path) -> dict[str, str]:
        """The entry keyed by the path relative to the manifest's folder, else by the
        bare file name (so ``000.txt:`` works for ``corpus/000.txt`` too)."""
        try:
            key = path.resolve().relative_to(self.folder.resolve()).as_posix()
        except ValueError:
            return {}
        return dict(self.entries.get(key) or self.entries.get(path.name) or {})


def parse_manifest(text: str, folder: Path, where: str) -> Manifest:
    """Parse manifest YAML; every entry is checked by :func:`clean_metadata`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(f"{where}: not valid YAML: {exc}") from None
    if data is None:
        return Manifest(folder)
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: expected a mapping of file name -> metadata")
    entries: dict[str, dict[str, str]] = {}
    ids: dict[str, str] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise ManifestError(f"{where}: entry {name!r} must be a mapping of metadata keys")
        try:
            cleaned = clean_metadata(entry, f"{where}: {name}")
        except ValueError as exc:
            raise ManifestError(str(exc)) from None
        if "id" in cleaned:
            if cleaned["id"] in ids:
                raise ManifestError(
                    f"{where}: id {cleaned['id']!r} is given to both {ids[cleaned['id']]} "
                    f"and {name}"
                )
            ids[cleaned["id"]] = str(name)
        entries[str(name).strip("/")] = cleaned
    return Manifest(folder, entries)


def find_manifest(path: Path) -> Path | None:
    """The nearest ``manifest.yaml`` in the folder of ``path`` or one of its ancestors."""
    folder = path.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate_folder in (folder, *folder.parents):
        candidate = candidate_folder / MANIFEST_NAME
        if candidate.is_file():
            return candidate
    return None


def load_manifest(path: Path) -> Manifest:
    """Read and parse one manifest file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read manifest: {exc}") from None
    return parse_manifest(text, path.parent, str(path))


class ManifestCache:
    """Finds and parses each manifest once while a load walks many files."""

    def __init__(self) -> None:
        self._by_path: dict[Path, Manifest] = {}

    def metadata_for(self, path: Path) -> dict[str, str]:
        manifest_path = find_manifest(path)
        if manifest_path is None:
            return {}
        if manifest_path not in self._by_path:
            self._by_path[manifest_path] = load_manifest(manifest_path)
        return self._by_path[manifest_path].metadata_for(path)


__all__ = [
    "MANIFEST_NAME",
    "METADATA_KEYS",
    "Manifest",
    "ManifestCache",
    "ManifestError",
    "clean_metadata",
    "find_manifest",
    "load_manifest",
    "normalize_date",
    "parse_manifest",
]
