"""Upstream sources: one package per upstream (client I/O, wire types, pure mapping)."""
