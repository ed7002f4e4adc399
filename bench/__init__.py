"""Benchmarks: each runs the sandbox and the gateway as separate processes and reports figures."""
