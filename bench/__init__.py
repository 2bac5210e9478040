"""Benchmarks: `python -m bench` runs them and records the figures in bench/BENCHMARKS.md."""
