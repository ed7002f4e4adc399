"""The public schema: Sai Keeper's `perp` namespace across venues (built in `build.py`)."""
