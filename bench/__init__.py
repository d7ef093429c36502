"""Benchmarks that print our figures beside plain Keras's. `bench.models` is plain data, safe to import anywhere."""
