"""Shared fixtures: the default store built once per session (factories, as in rio-tiler)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built_store_path(tmp_path_factory) -> Path:
    """The default dataset built from geodata/sources into a temporary GeoPackage (read-only use)."""
    from xxgeo.sources.build import build

    path = tmp_path_factory.mktemp("store") / "xxgeo.gpkg"
    build(str(path))
    return path


@pytest.fixture(scope="session")
def dataset(built_store_path):
    """Every layer of the default store, loaded once."""
    from xxgeo.store import GpkgStore

    return GpkgStore(built_store_path).load()


@pytest.fixture
def store_copy(built_store_path, tmp_path):
    """A private, writable copy of the default store for tests that change it."""
    from xxgeo.store import GpkgStore

    dest = tmp_path / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    return GpkgStore(dest)
