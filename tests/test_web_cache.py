"""The page cache: kept until a write, expired after its time, bounded in size."""

from __future__ import annotations

import pytest

from server.web import cache as cache_module
from server.web.cache import PageCache


def test_a_value_is_computed_once_until_a_write():
    cache, calls = PageCache(), []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert cache.get("home", compute) == 1
    assert cache.get("home", compute) == 1
    cache.invalidate()
    assert cache.get("home", compute) == 2


def test_a_value_computed_while_a_write_happened_is_not_kept():
    cache = PageCache()

    def compute_during_write():
        cache.invalidate()  # a write lands while the page is being built
        return "old"

    assert cache.get("home", compute_during_write) == "old"
    assert cache.get("home", lambda: "new") == "new"


def test_entries_expire(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    cache = PageCache(ttl=30.0)
    assert cache.get("k", lambda: "first") == "first"
    now[0] += 29.0
    assert cache.get("k", lambda: "second") == "first"
    now[0] += 2.0
    assert cache.get("k", lambda: "second") == "second"


@pytest.mark.parametrize("size", [1, 3])
def test_the_least_recently_used_entry_goes_first(size):
    cache = PageCache(max_entries=size)
    for key in range(size + 1):
        cache.get(key, lambda key=key: key)
    assert len(cache) == size
    assert cache.get(0, lambda: "recomputed") == "recomputed"  # 0 was dropped
