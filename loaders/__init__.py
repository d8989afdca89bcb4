"""Loaders: turn source documents into an attributed claim graph (pure functions),
and write it into a graph store (at the edge, in ``ingest``)."""
