"""Basemaps: providers as data (:mod:`.providers`), packages kept beside the store (:mod:`.registry`, read by
:mod:`.formats` and :mod:`.geotiff`), a package's tiles for an exported file (:mod:`.export`) and as one
picture for print (:mod:`.render`). See docs/BASEMAPS.md."""

from .providers import NONE, NONE_LABEL, Basemap, TileSource, provider, shipped_providers
from .registry import Package, Registry, choices, package_basemap, publish, registry_dir

__all__ = ["NONE", "NONE_LABEL", "Basemap", "Package", "Registry", "TileSource", "choices", "package_basemap",
           "provider", "publish", "registry_dir", "shipped_providers"]
