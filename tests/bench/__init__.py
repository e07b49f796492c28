"""Benchmarks, not tests: each is run from the repository's root as ``.venv/bin/python -m tests.bench.NAME``
and prints its figures (docs/performance.md)."""
