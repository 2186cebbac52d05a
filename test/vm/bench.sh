#!/bin/bash
# `make bench`: placeholder until there is something to measure.
echo "bench: no benchmarks yet"
