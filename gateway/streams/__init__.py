"""Live data: upstream streams (bridges), the hub that fans them out, and their contract."""
