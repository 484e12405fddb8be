"""Benchmarks run by `vecinos bench NAME`. Each prints its figures beside a baseline measured in the
same run, and ends with one line of JSON holding every figure."""
