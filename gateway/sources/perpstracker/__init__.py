"""PerpsTracker's REST API (Jupiter Perps on Solana): venue JUPITER."""
