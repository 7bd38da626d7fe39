"""Store backends beside the embedded GeoPackage (:class:`xxgeo.store.GpkgStore`).

``postgis``: PostgreSQL + PostGIS, selected by a ``postgresql://`` URL in ``--store`` / ``XXGEO_STORE``
(:func:`xxgeo.store.open_store` dispatches). Every backend offers the same public methods.
"""
