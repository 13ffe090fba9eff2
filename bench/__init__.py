"""Hearth's benchmark harness (issue 5): ``make bench``, described in docs/benchmarks.md.

Run as ``python -m bench.run`` from the repository root. Every module here
measures whatever the forum code currently is: it writes through Hearth's
services, serves Hearth with its production server and settings, and loads it
with wrk on 127.0.0.1 only.
"""
