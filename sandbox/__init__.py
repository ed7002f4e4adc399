"""Simulators of the three upstreams, driven by one deterministic market simulation.

A separate program from the gateway: `python -m sandbox` (or `gateway sandbox`, which runs it)
serves PerpsTracker, Nansen and Sai Keeper on one port, under `/perpstracker`, `/nansen` and
`/nibiru`, plus the `/_control` surface tests use to step the market and inject faults. The
gateway package never imports it; it only talks to it over sockets, as to the real upstreams.
"""
