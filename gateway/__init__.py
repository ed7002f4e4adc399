"""A GraphQL gateway for perpetual-futures trading data (Sai Keeper, PerpsTracker, Nansen)."""

__version__ = "0.1.0"
