"""Page data kept until the store changes: the whole-graph pages cost seconds at scale.

The home page and the timeline count and rank over the whole graph (2 s at a million
triples), and an event page about thousands of claims aggregates them all; yet their
data changes only when the store does. Every write through this server (SPARQL
Update, Graph Store, document upload) calls :meth:`PageCache.invalidate`, and since
the server is the store's one writer (docs/design.md), a cached page is never stale
for an embedded store. Entries also expire after ``ttl`` seconds, for a remote store
that others may write to. Only the data is cached; templates still render per request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class PageCache:
    """A small LRU of page data, cleared on every write; safe across request threads."""

    def __init__(self, max_entries: int = 256, ttl: float = 30.0) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[int, float, object]] = OrderedDict()
        self._generation = 0

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, or ``compute()`` (run outside the lock) kept."""
        now = time.monotonic()
        with self._lock:
            generation = self._generation
            hit = self._entries.get(key)
            if hit is not None and hit[0] == generation and now - hit[1] < self.ttl:
                self._entries.move_to_end(key)
                return hit[2]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            if self._generation == generation:  # no write happened while computing
                self._entries[key] = (generation, now, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
