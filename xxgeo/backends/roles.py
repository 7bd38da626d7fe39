"""Roles enforced in the store layer: who may write what (issue 6, first slice; sign-in comes later).

``public`` (no sign-in) writes nothing; a ``township`` head edits only projects of their own township
(and cannot move one to another township); an ``editor`` edits, imports and restores everything; an
``admin`` may do all an editor may (and will manage users). :class:`RoleStore` wraps any store
(:class:`xxgeo.store.GpkgStore` or :class:`xxgeo.backends.postgis.PostgisStore`) for one signed-in user:
reads pass through, every write is checked first and raises :class:`PermissionDenied` with a Chinese
sentence; the audit rows carry the user's name. On PostGIS the township check runs on the locked row,
inside the edit's transaction.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from ..errors import PermissionDenied
from ..schema import ROLES

ROLE_LABELS = {"public": "公众", "township": "乡镇负责人", "editor": "规划局编辑", "admin": "管理员"}
WRITERS = ("editor", "admin")


@dataclass(frozen=True)
class Actor:
    """A signed-in user: name, role and (for a township head) the 9-digit township code."""

    user: str
    role: str
    township: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise PermissionDenied(f"未知角色“{self.role}”。角色只能是：{'、'.join(ROLES)}。")
        if self.role == "township" and not self.township:
            raise PermissionDenied(f"乡镇负责人“{self.user}”没有指定所属乡镇，不能修改数据。")


def check_whole_layers(actor: Actor, what: str) -> None:
    """Imports, restores and other whole-layer writes: editors and admins only."""
    if actor.role not in WRITERS:
        raise PermissionDenied(f"{ROLE_LABELS[actor.role]}“{actor.user}”无权{what}；请联系规划局编辑。")


def check_feature(actor: Actor, layer: str, current: dict, changes: dict) -> None:
    """May ``actor`` apply ``changes`` to the feature whose stored fields are ``current``?"""
    if actor.role in WRITERS:
        return
    if actor.role == "public":
        raise PermissionDenied("公众用户不能修改数据，请先登录。")
    if layer != "projects":
        raise PermissionDenied(f"乡镇负责人只能修改本乡镇的项目，不能修改图层“{layer}”。")
    fid = current.get("project_id")
    if str(current.get("township_code") or "") != actor.township:
        raise PermissionDenied(f"项目“{fid}”不属于您所在的乡镇（{actor.township}），您无权修改。")
    new = changes.get("township_code", actor.township)
    if "township_codes" in changes or str(new or "") != actor.township:
        raise PermissionDenied(f"乡镇负责人不能把项目“{fid}”划到其他乡镇；请联系规划局编辑。")


class RoleStore:
    """A store seen by one user: reads pass through, writes are checked against the user's role."""

    def __init__(self, store, actor: Actor) -> None:
        self.store = store
        self.actor = actor

    def __getattr__(self, name: str):  # reads and everything else: the wrapped store
        return getattr(self.store, name)

    def __getitem__(self, layer: str):
        return self.store.read(layer)

    def update_feature(self, layer: str, feature_id: str, changes: dict, *, expected_version: int | None = None,
                       geometry=None, user: str | None = None) -> int:
        """``store.update_feature`` as this user, refused unless the role allows this feature and change."""

        def guard(current: dict) -> None:
            check_feature(self.actor, layer, current, changes)

        if self.actor.role == "public":
            guard({})
        kw = {"user": self.actor.user, "expected_version": expected_version, "geometry": geometry}
        if "guard" in inspect.signature(self.store.update_feature).parameters:
            return self.store.update_feature(layer, feature_id, changes, guard=guard, **kw)
        if self.actor.role not in WRITERS:  # GeoPackage: check the stored row first
            df = self.store.read(layer)
            from ..schema import LAYERS

            id_field = LAYERS[layer].id_field if layer in LAYERS else None
            rows = df[df[id_field].astype(str) == str(feature_id)] if id_field in df.columns else df.iloc[:0]
            guard(rows.iloc[0].to_dict() if len(rows) else {"project_id": feature_id})
        return self.store.update_feature(layer, feature_id, changes, **kw)

    def write_layers(self, frames, **kw):
        """Whole-layer writes (imports, indicator tables): editors and admins only."""
        check_whole_layers(self.actor, "整层写入或导入数据")
        return self.store.write_layers(frames, **{**kw, "user": self.actor.user})

    def restore(self, backup: str, **_kw):
        """Restore a backup: editors and admins only."""
        check_whole_layers(self.actor, "恢复备份")
        return self.store.restore(backup, user=self.actor.user)

    def swap_in(self, source, **kw):
        """Swap a backup in (undo of an import): editors and admins only."""
        check_whole_layers(self.actor, "撤销导入")
        return self.store.swap_in(source, **kw)

    def backup(self, reason: str = ""):
        """Make a backup: editors and admins only."""
        check_whole_layers(self.actor, "创建备份")
        return self.store.backup(reason)

    def append_audit(self, rows: list[dict]) -> None:
        """Audit rows are written as this user (any signed-in role; the public writes nothing)."""
        if self.actor.role == "public":
            raise PermissionDenied("公众用户不能修改数据，请先登录。")
        self.store.append_audit([{**r, "user": self.actor.user} for r in rows])
