"""The app's basemap picker: the store's packages listed, the URL's choice, the store's default, the language."""

from __future__ import annotations

import shutil

import pytest
from basemap_packages import tiles, write_zip
from kit import app_test


@pytest.fixture
def packaged(built_store_path, tmp_path, monkeypatch, dataset):
    from xxgeo.basemaps import Registry, registry_dir

    store = tmp_path / "s.gpkg"
    shutil.copy2(built_store_path, store)
    monkeypatch.setenv("XXGEO_STORE", str(store))
    reg = Registry(registry_dir(str(store)))
    bounds = tuple(float(v) for v in dataset["county"].total_bounds)
    reg.add(write_zip(tmp_path / "t.zip", tiles(bounds, zooms=(8,))), name="县域")
    try:
        yield reg
    finally:
        reg.remove("县域")


def _picker(at):
    return next(s for s in at.sidebar.selectbox if s.label in ("底图", "Basemap"))


def test_picker_lists_the_package_and_follows_the_url_and_the_default(packaged):
    at = app_test(view="planning")
    pick = _picker(at)
    assert "县域（离线底图包）" in pick.options and "天地图影像（需密钥）" in pick.options
    assert pick.value == "无底图（离线）"
    assert _picker(app_test(view="planning", basemap="县域")).value == "县域（离线底图包）"
    assert _picker(app_test(view="planning", basemap="nope")).value == "无底图（离线）"
    packaged.set_default("县域")
    at = app_test(view="township", lang="en")
    pick = _picker(at)
    assert pick.value == "县域 (offline package)" and "Tianditu imagery (key needed)" in pick.options
    assert any("Offline basemap package" in c.value for c in at.sidebar.caption)
    pick.set_value("None (offline)").run()
    assert at.query_params.get("basemap") in ("none", ["none"])  # differs from the default: kept in the URL
