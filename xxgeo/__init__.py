"""xxgeo — a county's planned projects, parks, sites, roads and indicators on one map (项目一张图).

The county served is data: the profile ``geodata/county.toml`` (see :mod:`xxgeo.county`).
"""

__version__ = "0.1.0"
