"""Benchmarks, run by hand (`make bench`), never part of `make test`."""
