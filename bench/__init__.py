"""Benchmark harness (make bench, make bench-quick): docs/benchmark.md."""
