"""Benchmarks that print figures (not tests): `python -m bench.platform_paths`, `python -m bench.customers`."""
