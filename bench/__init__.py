"""Load benchmarks: `make bench` (python -m bench.run) starts SalesSync on free ports and runs every bench_*.py."""
