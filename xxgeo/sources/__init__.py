"""Builders of the default dataset: they turn the county profile's reviewable text sources (``geodata/sources``)
into the store (``python -m xxgeo build``). Data lives in ``geodata/``; the code that builds the store from it
lives here; the developer tools that make the sources themselves are in ``scripts/`` (as in xyzservices)."""
