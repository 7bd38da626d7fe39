"""Builders of the default dataset: they turn the reviewable text sources in ``geodata/sources`` into the
store. Data lives in ``geodata/sources``; the code that makes it lives here (as in xyzservices)."""
