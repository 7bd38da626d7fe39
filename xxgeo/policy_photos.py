"""Progress photos' access rules and guarded writes (issue 12 item 7): the mixin :class:`PhotoGuard` that
:class:`xxgeo.policy.GuardedStore` inherits.

Who may add a photo is who may report on the project (:func:`xxgeo.policy_dispatch.check_reporter`: a township
head their own township's projects, the bureau any). A photo is read and checked by :func:`xxgeo.photos.read_photo`
(real JPEG/PNG/HEIC only, size and pixel limits); its row in ``photos`` and its bytes and thumbnail
(:mod:`xxgeo.store.blobs`) are one audited row insert (``Store.insert_feature``, no backup; ``undo`` removes the
row and its bytes), refused when the store's photos together would pass
``settings().photo_store_max_bytes``. A project with no location may be placed at the photo's GPS position
(precision ``photo_gps``, ``loc_source`` photo), an audited feature edit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from shapely import Point

from .config import settings
from .dispatch_values import month_of
from .errors import ImportRefused, NotFound, PermissionDenied
from .photos import FAR_M, distance_m, read_photo
from .policy_dispatch import check_reporter, find_project, locked_project, next_id
from .schema import LAYERS
from .store.blobs import read_blob
from .store.frames import now_iso
from .textsafe import file_name as safe_file_name


@dataclass(frozen=True)
class PhotoAdded:
    """What :meth:`PhotoGuard.add_photo` did: the photo's id and what the uploader should be told."""

    photo_id: str
    size_bytes: int
    has_gps: bool
    #: metres from the project's location (None: no GPS, or the project has no location)
    distance_m: float | None
    #: the project has no location and the photo has a GPS position: it may be placed there
    can_place: bool

    @property
    def far(self) -> bool:
        """Taken more than 1 km from the project's location."""
        return self.distance_m is not None and self.distance_m > FAR_M


def project_geometry(store, project_id: str):
    """The stored geometry of a project (None when it has none)."""
    df = store.read("projects")
    rows = df[df["project_id"].astype(str) == str(project_id)]
    if not len(rows):
        raise NotFound(f"没有编号为“{project_id}”的项目。", english=f"No project “{project_id}”.")
    g = rows.geometry.iloc[0]
    return None if g is None or g.is_empty else g


def _used_bytes(df) -> int:
    return int(pd.to_numeric(df["size_bytes"], errors="coerce").fillna(0).sum()) if len(df) else 0


class PhotoGuard:
    """The photo methods of :class:`xxgeo.policy.GuardedStore` (``self._store``, ``self.actor`` are its)."""

    __slots__ = ()

    def add_photo(self, project_id: str, month: str, data: bytes, file_name: str) -> PhotoAdded:
        """Keep an uploaded progress photo of ``project_id`` for ``month`` in the store (with its thumbnail)."""
        actor, store = self.actor, self._store
        month = month_of(month)
        check_reporter(actor, find_project(store, project_id))
        name = safe_file_name(str(file_name or "photo"))
        info = read_photo(bytes(data), name)
        geom = project_geometry(store, project_id)
        dist = distance_m(geom, info.lon, info.lat) if info.has_gps else None

        seen: list = []  # the photos layer the guard read under the lock (the row's number comes from it too)

        def guard(st, current) -> None:  # under the writer lock: the role, the store's total, the same photo twice
            check_reporter(actor, locked_project(current, project_id))
            df = st.read("photos")
            seen.append(df)
            limit = settings().photo_store_max_bytes
            if _used_bytes(df) + info.size_bytes > limit:
                mb = limit / 1024 / 1024
                raise ImportRefused(f"照片“{name}”未保存：数据库中的照片合计将超过 {mb:g} MB 的上限"
                                    "（XXGEO_PHOTO_STORE_MB）。",
                                    english=f"The photo “{name}” was not kept: the store's photos together would pass "
                                            f"the {mb:g} MB limit (XXGEO_PHOTO_STORE_MB).")
            same = df[(df["project_id"].astype(str) == str(project_id)) & (df["sha256"] == info.sha256)] \
                if len(df) else df
            if len(same):
                raise ImportRefused(f"照片“{name}”已经上传过（{same['photo_id'].iloc[0]}），未重复保存。",
                                    english=f"The photo “{name}” was already uploaded ({same['photo_id'].iloc[0]}); "
                                            "not kept twice.")

        def row(st) -> dict:  # numbered under the same lock, from the rows the guard read
            return {"photo_id": next_id(seen[-1], "photo_id", f"{project_id}/{month}/P"),
                    "project_id": str(project_id), "month": month, "file_name": name,
                    "mime": info.mime, "size_bytes": info.size_bytes, "sha256": info.sha256, "width": info.width,
                    "height": info.height, "taken_at": info.taken_at, "gps_lon": info.lon, "gps_lat": info.lat,
                    "distance_m": None if dist is None else round(dist, 1), "uploaded_by": actor.user,
                    "uploaded_at": now_iso()}

        pid = store.insert_feature("photos", row, user=actor.user, guard=guard, what=f"照片 {name}",
                                   geometry=Point(info.lon, info.lat) if info.has_gps else None,
                                   blobs=[("image", bytes(data)), ("thumb", info.thumbnail)])
        return PhotoAdded(pid, info.size_bytes, info.has_gps, dist, geom is None and info.has_gps)

    def photo_bytes(self, photo_id: str, kind: str = "thumb") -> bytes | None:
        """The kept thumbnail (``thumb``, re-encoded, no EXIF) or image of a photo; the public sees none."""
        if self.actor.role == "public":
            raise PermissionDenied("进度照片仅供内部使用，请先登录。", english="Progress photos are internal; sign in.")
        return read_blob(self._store, str(photo_id), "image" if kind == "image" else "thumb")

    def place_at_photo(self, photo_id: str) -> int:
        """Place a project that has no location at its photo's GPS position (precision ``photo_gps``,
        ``loc_source`` photo; an audited, versioned edit); returns the project's new version."""
        actor, store = self.actor, self._store
        df = store.read("photos")
        rows = df[df["photo_id"].astype(str) == str(photo_id)] if len(df) else df
        if not len(rows):
            raise NotFound(f"没有编号为“{photo_id}”的照片。", english=f"No photo “{photo_id}”.")
        r = rows.iloc[0]
        if pd.isna(r["gps_lon"]) or pd.isna(r["gps_lat"]):
            raise ImportRefused(f"照片“{photo_id}”没有 GPS 位置，不能据此放置项目。",
                                english=f"The photo “{photo_id}” has no GPS position; it cannot place the project.")
        pid = str(r["project_id"])
        at = Point(float(r["gps_lon"]), float(r["gps_lat"]))
        changes = {"loc_precision": "photo_gps"}
        if "loc_source" in LAYERS["projects"].field_names:
            changes["loc_source"] = "photo"
        for f, v in (("located_by", actor.user), ("located_at", now_iso())):
            if f in LAYERS["projects"].field_names:
                changes[f] = v

        def guard(current: dict) -> None:
            check_reporter(actor, current)
            if project_geometry(store, pid) is not None:
                raise PermissionDenied(f"项目“{pid}”已有位置，照片不会改动它（如需移动，请在编辑中修改位置）。",
                                       english=f"Project “{pid}” already has a location; a photo does not move it "
                                               "(move it in the edit form).")

        return store.update_feature("projects", pid, changes, user=actor.user, geometry=at, guard=guard)
