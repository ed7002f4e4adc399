"""Sai Keeper, Nibiru's perp indexer (GraphQL): venue NIBIRU, passed through."""
