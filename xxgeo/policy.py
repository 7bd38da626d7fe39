"""Roles enforced in the store layer: who may read and write what (issue 6).

``public`` (no sign-in) reads public data only and writes nothing; a ``township`` head reads everything and
edits only projects of their own township (and cannot move one to another township); an ``editor`` edits,
imports, restores and exports internal data; an ``admin`` may do all an editor may and manages accounts.
:class:`RoleStore` wraps any store (:class:`xxgeo.store.GpkgStore` or
:class:`xxgeo.backends.postgis.PostgisStore`) for one signed-in user: reads are filtered for the public
(:func:`visible_frame`), every write is checked first and raises :class:`PermissionDenied` with a Chinese
sentence, and the audit rows carry the user's name. The township check runs on the row the edit's own
transaction read (locked with ``FOR UPDATE`` on PostGIS, under ``BEGIN IMMEDIATE`` on the GeoPackage).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PermissionDenied
from .i18n import tr
from .schema import LAYERS, ROLES

ROLE_LABELS = {r: tr(f"role.{r}") for r in ROLES}  # 公众, 乡镇负责人, 规划局编辑, 管理员
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


def check_export(actor: Actor, public_only: bool) -> None:
    """Exports of internal data (non-public projects, internal fields): editors and admins only."""
    if not public_only and actor.role not in WRITERS:
        raise PermissionDenied(f"{ROLE_LABELS[actor.role]}只能导出公开数据：请勾选“仅公开数据”"
                               "（命令行加 --public-only）。")


def check_accounts(actor: Actor) -> None:
    """Managing accounts: admins only."""
    if actor.role != "admin":
        raise PermissionDenied(f"只有管理员能管理账号；“{actor.user}”是{ROLE_LABELS[actor.role]}。")


def visible_frame(actor: Actor, layer: str, df):
    """The part of ``layer`` that ``actor`` may see: everything, except for the public, who see only
    public projects and public fields (internal values emptied, columns kept so every view still works)
    and nothing of an internal layer."""
    if actor.role != "public":
        return df
    from .export import PUBLIC_FIELDS
    from .store import empty_frame

    if layer not in PUBLIC_FIELDS:
        return empty_frame(layer)
    if layer == "projects":
        df = df[df["public"].fillna(False).astype(bool).to_numpy()]
    keep = set(PUBLIC_FIELDS[layer]) | {"public", "geometry"}
    df = df.copy()
    for col in df.columns:
        if col not in keep:
            df[col] = None
    return df


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
        return self.read(layer)

    def read(self, layer: str):
        """One layer as this user may see it (:func:`visible_frame`)."""
        return visible_frame(self.actor, layer, self.store.read(layer))

    def load(self, layers=None):
        """Every layer (or the named ones) as this user may see them."""
        from .store import Dataset

        return Dataset({n: self.read(n) for n in (layers or list(LAYERS))})

    def update_feature(self, layer: str, feature_id: str, changes: dict, *, expected_version: int | None = None,
                       geometry=None, user: str | None = None) -> int:
        """``store.update_feature`` as this user, refused unless the role allows this feature and change."""

        def guard(current: dict) -> None:
            check_feature(self.actor, layer, current, changes)

        if self.actor.role == "public":
            guard({})
        # both stores run the guard on the row they read inside the edit's transaction (locked on PostGIS)
        return self.store.update_feature(layer, feature_id, changes, guard=guard, user=self.actor.user,
                                         expected_version=expected_version, geometry=geometry)

    def undo_feature(self, decide):
        """Undo of a feature edit (:func:`xxgeo.edits.undo_last`): editors and admins only."""
        check_whole_layers(self.actor, "撤销修改")
        return self.store.undo_feature(decide)

    def accounts(self):
        """The store's accounts, for an admin (:class:`xxgeo.accounts.Accounts`)."""
        from .accounts import Accounts

        check_accounts(self.actor)
        return Accounts(self.store)

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
