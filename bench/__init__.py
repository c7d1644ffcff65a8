"""Benchmarks (figures only, never assertions): `make bench`, `make bench-report`.

Not part of the product: the floor page (bench/floor.py) is served only by the bench's own
URLconf (bench/urls.py), selected through bench/settings.py in the bench's processes.
"""
