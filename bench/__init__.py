"""Benchmarks that print figures (not tests): `python -m bench.platform`, `python -m bench.customers`."""
