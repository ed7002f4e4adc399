"""HYPERLIQUID through Nansen's Hyperliquid API (REST, POST with JSON bodies, `apiKey` header)."""
