"""Schema extensions, one concern per module."""
