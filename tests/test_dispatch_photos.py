"""Progress photos kept in the store (issue 12 item 7), on both backends: added through GuardedStore.add_photo
with the reporter rule, the per-store limit, the far warning, placing an unlocated project at the photo's GPS
position, and the bytes travelling with backups (restore brings back what it brings back)."""

from __future__ import annotations

import io

import pytest
from dispatchkit import BUREAU, HEAD, OTHER, guarded, own_projects, snapshot
from PIL import Image
from shapely import Point

from xxgeo.config import settings
from xxgeo.errors import ImportRefused, PermissionDenied
from xxgeo.policy import PUBLIC
from xxgeo.store.blobs import read_blob

M = "2026-03"


def jpeg(lon=None, lat=None, colour=(30, 120, 200)) -> bytes:
    """A JPEG, with a GPS position in its EXIF when given."""
    img = Image.new("RGB", (640, 480), colour)
    exif = Image.Exif()
    if lon is not None:
        def dms(v):
            v = abs(v)
            d = int(v)
            m = int((v - d) * 60)
            return (d, m, round(((v - d) * 60 - m) * 60, 4))
        exif.get_ifd(0x8825).update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _photos(store):
    return store.read("photos")


def test_a_township_head_adds_a_photo_of_their_own_project(any_store):
    a = own_projects(any_store, 1)[0]
    head = guarded(any_store, HEAD)
    where = any_store.read("projects").set_index("project_id").geometry[a].representative_point()
    data = jpeg(where.x, where.y)
    res = head.add_photo(a, M, data, "现场.jpg")
    assert res.photo_id == f"{a}/{M}/P1" and not res.far and res.distance_m is not None and res.distance_m < 5
    row = _photos(any_store).set_index("photo_id").loc[res.photo_id]
    assert row["file_name"] == "现场.jpg" and row["mime"] == "image/jpeg" and row["size_bytes"] == len(data)
    assert row["uploaded_by"] == HEAD.user and row.geometry.distance(where) < 1e-6
    assert read_blob(any_store, res.photo_id, "image") == data
    thumb = head.photo_bytes(res.photo_id)
    assert Image.open(io.BytesIO(thumb)).format == "JPEG" and not Image.open(io.BytesIO(thumb)).getexif().get_ifd(
        0x8825)
    with pytest.raises(ImportRefused, match="已经上传过"):
        head.add_photo(a, M, data, "again.jpg")
    with pytest.raises(PermissionDenied):
        guarded(any_store, PUBLIC).photo_bytes(res.photo_id)


def test_another_townships_project_and_bad_files_are_refused(any_store):
    before = snapshot(any_store)
    with pytest.raises(PermissionDenied, match="不属于您所在的乡镇"):
        guarded(any_store, HEAD).add_photo(OTHER, M, jpeg(), "x.jpg")
    with pytest.raises(ImportRefused, match="无法作为图片读取|不是 JPEG"):
        guarded(any_store, BUREAU).add_photo(OTHER, M, b"GIF89a not really", "x.jpg")
    assert snapshot(any_store) == before and not len(_photos(any_store))


def test_the_store_limit(any_store, monkeypatch):
    a = own_projects(any_store, 1)[0]
    first = jpeg()
    monkeypatch.setenv("XXGEO_PHOTO_STORE_MB", "1")
    settings.cache_clear() if hasattr(settings, "cache_clear") else None
    limit = settings().photo_store_max_bytes
    bureau = guarded(any_store, BUREAU)
    bureau.add_photo(a, M, first, "a.jpg")
    big = Image.effect_noise((1400, 1400), 90).convert("RGB")
    out = io.BytesIO()
    big.save(out, "JPEG", quality=98)
    assert len(first) + len(out.getvalue()) > limit
    with pytest.raises(ImportRefused, match="合计将超过 1 MB"):
        bureau.add_photo(a, M, out.getvalue(), "b.jpg")
    assert len(_photos(any_store)) == 1


def test_far_and_place_at_gps(any_store):
    a = own_projects(any_store, 1)[0]
    where = any_store.read("projects").set_index("project_id").geometry[a].representative_point()
    head = guarded(any_store, HEAD)
    far = head.add_photo(a, M, jpeg(where.x + 0.05, where.y), "far.jpg")  # ~4.5 km east
    assert far.far and 4000 < far.distance_m < 5000 and not far.can_place
    with pytest.raises(PermissionDenied, match="已有位置"):
        head.place_at_photo(far.photo_id)


def test_an_unlocated_project_is_placed_at_the_photos_gps(any_store):
    from xxgeo.schema import LOC_PRECISIONS

    if "photo_gps" not in LOC_PRECISIONS:
        pytest.skip("the precision code photo_gps arrives with i13a's precision scale")
    bureau = guarded(any_store, BUREAU)
    proj = any_store.read("projects")
    unplaced = proj[proj.geometry.isna() | proj.geometry.is_empty]
    if not len(unplaced):
        pytest.skip("the default store has no unlocated project")
    pid = str(unplaced["project_id"].iloc[0])
    res = bureau.add_photo(pid, M, jpeg(111.2, 35.1, (200, 10, 10)), "gps.jpg")
    assert res.can_place and res.distance_m is None
    bureau.place_at_photo(res.photo_id)
    row = any_store.read("projects").set_index("project_id").loc[pid]
    assert row["loc_precision"] == "photo_gps" and row.geometry.distance(Point(111.2, 35.1)) < 1e-6
    assert any_store.audit_entries()[-1].feature_id == pid


def test_photos_travel_with_backups(any_store):
    a = own_projects(any_store, 1)[0]
    bureau = guarded(any_store, BUREAU)
    one = bureau.add_photo(a, M, jpeg(), "one.jpg")
    saved = any_store.backup("test")
    two = bureau.add_photo(a, M, jpeg(colour=(1, 2, 3)), "two.jpg")
    assert read_blob(any_store, two.photo_id) is not None
    any_store.restore(saved)
    assert _photos(any_store)["photo_id"].tolist() == [one.photo_id]
    assert read_blob(any_store, one.photo_id, "image") is not None
    assert read_blob(any_store, two.photo_id) is None
