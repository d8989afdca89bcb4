"""The parallel bulk path of the embedded store: every quad arrives, once, whatever the cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

import loaders.store
from loaders.store import EmbeddedStore, _ByteRange, _line_ranges

EX = "http://example.org/"


def _quads(n: int) -> list[Quad]:
    # Literals with escaped newlines and non-ASCII text: a cut inside a line would break them.
    return [
        Quad(
            NamedNode(f"{EX}s{i}"),
            NamedNode(f"{EX}p{i % 3}"),
            Literal(f"line one\nline two é {i}"),
            NamedNode(f"{EX}g{i % 4}"),
        )
        for i in range(n)
    ]


def test_line_ranges_cover_the_file_at_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "lines.nq"
    path.write_bytes(b"aaaa\nbb\ncccccc\nd\neeeee\n")
    ranges = _line_ranges(path, 3)
    data = path.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(data[end - 1 : end] == b"\n" for _, end in ranges)
    assert b"".join(data[a:b] for a, b in ranges) == data
    assert len(ranges) == 3


def test_max_lines_cuts_more_ranges_in_a_multiple_of_parts(tmp_path: Path) -> None:
    path = tmp_path / "lines.nq"
    path.write_bytes(b"".join(b"line %03d\n" % i for i in range(1000)))  # 9 bytes a line
    ranges = _line_ranges(path, 2, max_lines=100)
    data = path.read_bytes()
    assert len(ranges) == 10  # 1000 lines, at most ~100 a range, a multiple of 2
    assert b"".join(data[a:b] for a, b in ranges) == data
    assert all(data[b - 1 : b] == b"\n" for _, b in ranges)
    assert max(data[a:b].count(b"\n") for a, b in ranges) <= 101
    assert _line_ranges(path, 2, max_lines=5000) == _line_ranges(path, 2)  # fits: no extra cut


def test_byte_range_reads_only_its_bytes_in_small_reads(tmp_path: Path) -> None:
    path = tmp_path / "bytes.bin"
    data = bytes(range(256)) * 40
    path.write_bytes(data)
    with _ByteRange.open(path, 1000, 9000) as chunk:  # the buffer (1 MiB) exceeds the range
        pieces = iter(lambda: chunk.read(7), b"")
        assert b"".join(pieces) == data[1000:9000]


def test_more_parts_than_lines_gives_no_empty_range(tmp_path: Path) -> None:
    path = tmp_path / "two.nq"
    path.write_bytes(b"a\nb\n")
    assert _line_ranges(path, 16) == [(0, 2), (2, 4)]


@pytest.mark.parametrize("parts", [1, 3, 7])
def test_n_quads_load_in_parts_keeps_every_quad(
    store: EmbeddedStore, tmp_path: Path, parts: int
) -> None:
    quads = _quads(500)
    path = tmp_path / "data.nq"
    serialize(quads, str(path), RdfFormat.N_QUADS)
    store.bulk_load_file(path, RdfFormat.N_QUADS, parts=parts)
    assert set(store.raw) == set(quads)
    assert len(store.raw) == 500


def test_more_ranges_than_loaders_are_all_loaded(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file of more than 900k lines per loader is cut in more ranges than loaders, which
    # the loaders take in turn; seven ranges for two loaders stand for it here.
    cut = loaders.store._line_ranges
    monkeypatch.setattr(loaders.store, "_line_ranges", lambda path, parts, **_: cut(path, 7))
    quads = _quads(300)
    path = tmp_path / "data.nq"
    serialize(quads, str(path), RdfFormat.N_QUADS)
    store.bulk_load_file(path, RdfFormat.N_QUADS, parts=2)
    assert set(store.raw) == set(quads)


def test_a_failed_range_stops_the_ranges_not_yet_started(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One loader, seven ranges in file order; the first holds the error, so the loader
    # must raise it without going on to load the six others.
    cut = loaders.store._line_ranges
    monkeypatch.setattr(loaders.store, "_line_ranges", lambda path, parts, **_: cut(path, 7))
    quads = _quads(300)
    path = tmp_path / "bad-first.nq"
    bad = b"<http://example.org/s> <not an iri> .\n"
    path.write_bytes(bad + serialize(quads, format=RdfFormat.N_QUADS))
    with pytest.raises(SyntaxError):
        store.bulk_load_file(path, RdfFormat.N_QUADS, parts=1)
    assert quads[-1] not in set(store.raw)  # the last range was never loaded


@pytest.mark.parametrize("parts", [1, 4])
def test_n_triples_go_into_the_given_graph_whole_or_cut(
    store: EmbeddedStore, tmp_path: Path, parts: int
) -> None:
    # One part is the whole file, read by pyoxigraph from its path; four are Python streams.
    triples = [Triple(q.subject, q.predicate, q.object) for q in _quads(50)]
    path = tmp_path / "data.nt"
    serialize(triples, str(path), RdfFormat.N_TRIPLES)
    g = NamedNode(f"{EX}import")
    store.bulk_load_file(path, RdfFormat.N_TRIPLES, graph=g, parts=parts)
    assert {
        Triple(q.subject, q.predicate, q.object)
        for q in store.raw.quads_for_pattern(None, None, None, g)
    } == set(triples)
    assert len(store.raw) == 50


def test_turtle_loads_in_one_part(store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "data.ttl"
    # A multi-line statement: cutting this file at a line end would split a triple.
    path.write_text(f'<{EX}s> <{EX}p> <{EX}o1> ,\n  <{EX}o2> ;\n  <{EX}q> "x" .\n')
    g = NamedNode(f"{EX}g")
    store.bulk_load_file(path, RdfFormat.TURTLE, graph=g, parts=8)
    assert len(store.raw) == 3


@pytest.mark.parametrize("parts", [1, 4])
def test_a_syntax_error_in_any_part_is_raised(
    store: EmbeddedStore, tmp_path: Path, parts: int
) -> None:
    path = tmp_path / "bad.nq"
    good = serialize(_quads(100), format=RdfFormat.N_QUADS)
    path.write_bytes(good + b"<http://example.org/s> <not an iri> .\n")
    with pytest.raises(SyntaxError):
        store.bulk_load_file(path, RdfFormat.N_QUADS, parts=parts)
