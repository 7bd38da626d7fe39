"""xxgeo — 夏县项目一张图: Xia County's planned projects, parks, sites, roads and indicators on one map."""

__version__ = "0.1.0"
