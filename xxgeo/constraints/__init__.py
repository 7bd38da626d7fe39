"""The control lines (三区三线 and other constraints, issue 16): the ``constraints`` layer's kinds and rules
(:mod:`.kinds`), its import one kind at a time (:mod:`.importer`), the compliance check (:mod:`.check`, pure),
its tables in Chinese or English (:mod:`.tables`) and the image tiles the app draws the layer with (:mod:`.raster`).

See docs/CONSTRAINTS.md.
"""
