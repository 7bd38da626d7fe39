"""Access rules, in one place: who may read and write what, and what "public" means.

Roles: ``public`` (no sign-in) reads public data only and writes nothing; a ``township`` head reads
everything and edits only projects of their own township (and cannot move one to another township); an
``editor`` edits, imports, restores and exports internal data; an ``admin`` may do all an editor may and
manages accounts.

:class:`GuardedStore` is a store seen by one :class:`Actor`. It is an **allow-list**: it has only the methods
written below, each checked against the actor's role, so a method added to the store later is unreachable
through it until someone decides here who may call it. Reads are filtered for the public
(:func:`visible_frame`); exports are checked and filtered inside it (:meth:`GuardedStore.export_frame`);
every write is checked first and raises :class:`PermissionDenied`, and its audit rows carry the actor's
name. The township check runs on the row the edit's own transaction reads (locked), so it cannot race.

The public's share of the data is defined once, in :data:`PUBLIC_FIELDS` (layers and fields that may be
shown or exported to the public; everything else is internal) and :func:`public_rows` (projects and parcels
whose ``public`` is true). Layer specs (``layers/*.toml``) may narrow what a role is shown, never widen this.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from .config import settings
from .errors import ImportRefused, NotFound, PermissionDenied
from .i18n import tr
from .policy_dispatch import DispatchGuard, check_generic_edit
from .policy_dispatch_import import DispatchImportGuard
from .policy_photos import PhotoGuard
from .schema import LAYERS, ROLES
from .store.frames import Dataset, empty_frame

ROLE_LABELS = {r: tr(f"role.{r}") for r in ROLES}  # 公众, 乡镇负责人, 规划局编辑, 管理员
WRITERS = ("editor", "admin")
#: Fields that decide what is published and on whose authority: the bureau's call, editors and admins only.
PUBLICATION_FIELDS = ("public", "source_ref")
#: How far (degrees, about 50 m) a township head's move may reach past the township's drawn boundary.
BOUNDARY_TOLERANCE_DEG = 0.0005

#: Layers and fields the public may see and take away (an allow-list: a field added to the schema later
#: stays internal until someone decides otherwise). Internal: bookkeeping (``version``, ``public``), raw notes
#: (``investment_note``, ``source_text``, ``subgroup``), internal layers and any column the schema does not know.
PUBLIC_FIELDS = {
    "projects": ("project_id", "name", "category", "township_code", "township_codes", "village", "park_id", "status",
                 "investment_wan", "start_year", "end_year", "source_ref", "place_note", "loc_precision"),
    "county": ("code", "name", "source"),
    "townships": ("code", "name", "kind", "boundary_quality", "seat_lon", "seat_lat", "village_units", "source"),
    "parks": ("park_id", "name", "aliases", "township_code", "planned_area_km2", "construction_land_km2",
              "construction_land_mu", "area_km2", "location_desc", "leading_industries", "enterprises",
              "infrastructure", "standard_factories", "targets", "distances_stated", "period", "status",
              "boundary_quality", "source_ref", "contact_unit", "contact_person", "contact_phone", "contact_email",
              "contact_address"),
    "scenic_sites": ("site_id", "name", "kind", "grade", "township_code", "village", "place_note", "status",
                     "loc_precision", "source_ref"),
    "roads": ("road_id", "name", "road_class", "work_type", "from_place", "to_place", "via_places", "length_km",
              "project_id", "loc_precision", "source_ref"),
    "indicators": tuple(f.name for f in LAYERS["indicators"].fields),
    "places": ("place_id", "name", "name_en", "kind", "source"),
    # available parcels (可供地块): what an investor is shown; ``public`` itself stays internal
    "parcels": ("parcel_id", "name", "park_id", "township_code", "area_mu", "stated_area_mu", "land_use", "supply",
                "price", "price_unit", "far", "investment_intensity", "tax_per_mu", "road", "power", "water",
                "telecom", "drainage", "gas", "heating", "leveled", "status", "contact", "photo", "panorama_url",
                "source"),
}
#: layers whose rows each carry a ``public`` flag: only rows marked public are the public's
FLAGGED_LAYERS = ("projects", "parcels")


@dataclass(frozen=True)
class Actor:
    """Who acts: name, role and (for a township head) the 9-digit township code."""

    user: str
    role: str
    township: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise PermissionDenied(f"未知角色“{self.role}”。角色只能是：{'、'.join(ROLES)}。",
                                   english=f"Unknown role “{self.role}”; roles: {', '.join(ROLES)}.")
        if self.role == "township" and not self.township:
            raise PermissionDenied(f"乡镇负责人“{self.user}”没有指定所属乡镇，不能修改数据。",
                                   english=f"Township head “{self.user}” has no township and cannot edit.")

    @property
    def is_public(self) -> bool:
        """True for a visitor who has not signed in."""
        return self.role == "public"


PUBLIC = Actor("公众", "public")


def operator(name: str) -> Actor:
    """Whoever holds the store itself (the file, or the database password): an admin."""
    return Actor(name, "admin")


def account_actor(account) -> Actor:
    """Who an account (:class:`xxgeo.accounts.Account`) acts as: its name, role and township."""
    return Actor(account.name, account.role, account.township_code)


def cli_actor(store, name: str | None):
    """Who runs a command-line command against ``store``.

    The command line is for whoever holds the store itself (the file, or the database password), so
    without ``--user`` it acts as that operator (an admin). With ``--user NAME`` on a store that has
    accounts, it acts as that account, with that account's role (a township head's ``set`` is held to their
    township); an unknown name is refused. On a store without accounts the name is only recorded."""
    if not name:
        return operator(settings().default_user)
    if not store.exists():
        return operator(name)
    book = store.accounts().list()
    if not book:
        return operator(name)
    acct = next((a for a in book if a.name == name), None)
    if acct is None:
        raise NotFound(f"没有账号“{name}”；数据库已设置账号，--user 必须是其中之一（python -m xxgeo users list）。",
                       english=f"No account “{name}”: the store has accounts, so --user must be one of them "
                               "(python -m xxgeo users list).")
    return account_actor(acct)


# ----------------------------------------------------------------------------- the public's share
def public_rows(layer: str, df):
    """The rows of ``layer`` the public may see (projects and parcels: those marked public, a row without the
    flag is not; other public layers: all)."""
    if layer in FLAGGED_LAYERS:
        if "public" not in df.columns:
            return df.iloc[0:0]
        return df[df["public"].fillna(False).astype(bool).to_numpy()]
    return df


def public_frame(layer: str, df, *, keep_columns: bool = False):
    """``df`` as the public may have it: public rows, public fields. ``keep_columns`` empties the internal
    columns instead of dropping them (so every view works on it); an internal layer comes back empty."""
    if layer not in PUBLIC_FIELDS:
        return empty_frame(layer)
    df = public_rows(layer, df)
    fields = set(PUBLIC_FIELDS[layer])
    if keep_columns:
        df = df.copy()
        for col in df.columns:
            if col not in fields | {"public", "geometry"}:
                df[col] = None
        return df
    keep = [c for c in df.columns if c in fields] + (["geometry"] if "geometry" in df.columns else [])
    return df[keep]


def visible_frame(actor: Actor, layer: str, df):
    """The part of ``layer`` that ``actor`` may see: everything, except for the public (:func:`public_frame`)."""
    return public_frame(layer, df, keep_columns=True) if actor.is_public else df


def public_dataset(ds: Dataset) -> Dataset:
    """A whole dataset as the public may see it."""
    return Dataset({n: public_frame(n, df, keep_columns=True) for n, df in ds.layers.items()})


# ----------------------------------------------------------------------------- checks
def _label(actor: Actor) -> str:
    return ROLE_LABELS[actor.role]


def check_whole_layers(actor: Actor, what: str) -> None:
    """Imports, restores and other whole-layer writes: editors and admins only."""
    if actor.role not in WRITERS:
        raise PermissionDenied(f"{_label(actor)}“{actor.user}”无权{what}；请联系规划局编辑。",
                               english=f"{tr(f'role.{actor.role}', 'en')} “{actor.user}” may not do this; "
                                       "ask a bureau editor.")


def check_export(actor: Actor, public_only: bool) -> None:
    """Exports of internal data (non-public projects, internal fields): editors and admins only."""
    if not public_only and actor.role not in WRITERS:
        raise PermissionDenied(f"{_label(actor)}只能导出公开数据：请勾选“仅公开数据”（命令行加 --public-only）。",
                               english="You may export public data only: tick “Public data only” "
                                       "(--public-only on the command line).")


def check_accounts(actor: Actor) -> None:
    """Managing accounts: admins only."""
    if actor.role != "admin":
        raise PermissionDenied(f"只有管理员能管理账号；“{actor.user}”是{_label(actor)}。",
                               english=f"Only administrators manage accounts; “{actor.user}” is a "
                                       f"{tr(f'role.{actor.role}', 'en')}.")


def check_signed_in(actor: Actor) -> None:
    """Any write at all: not for the public."""
    if actor.is_public:
        raise PermissionDenied("公众用户不能修改数据，请先登录。", english="Sign in to change data.")


def check_feature(actor: Actor, layer: str, current: dict, changes: dict) -> None:
    """May ``actor`` apply ``changes`` to the feature whose stored fields are ``current``?"""
    if actor.role in WRITERS:
        return
    check_signed_in(actor)
    if layer != "projects":
        raise PermissionDenied(f"乡镇负责人只能修改本乡镇的项目，不能修改图层“{layer}”。",
                               english=f"A township head edits only their township's projects, not “{layer}”.")
    fid = current.get("project_id")
    if str(current.get("township_code") or "") != actor.township:
        raise PermissionDenied(f"项目“{fid}”不属于您所在的乡镇（{actor.township}），您无权修改。",
                               english=f"Project “{fid}” is not in your township ({actor.township}).")
    new = changes.get("township_code", actor.township)
    if "township_codes" in changes or str(new or "") != actor.township:
        raise PermissionDenied(f"乡镇负责人不能把项目“{fid}”划到其他乡镇；请联系规划局编辑。",
                               english=f"A township head cannot move project “{fid}” to another township.")
    published = [f for f in PUBLICATION_FIELDS if f in changes]
    if published:
        raise PermissionDenied(f"是否公开、出处等发布信息由规划局编辑决定，乡镇负责人不能修改"
                               f"（{'、'.join(published)}）；请联系规划局编辑。",
                               english="Publication fields (public, source) are the bureau's call; a township head "
                                       f"cannot change them ({', '.join(published)}). Ask a bureau editor.")


def check_move(actor: Actor, fid: str, geometry, townships) -> None:
    """May ``actor`` put feature ``fid`` at ``geometry``? A township head only inside their own township
    (``townships``: the townships layer, read through the store), within :data:`BOUNDARY_TOLERANCE_DEG`."""
    if actor.role in WRITERS or geometry is None:
        return
    rows = townships[townships["code"].astype(str) == str(actor.township)] if len(townships) else townships
    area = shapely.union_all(rows.geometry.values) if len(rows) else None
    if area is None or area.is_empty or not area.buffer(BOUNDARY_TOLERANCE_DEG).covers(geometry):
        raise PermissionDenied(f"新位置不在您所在的乡镇（{actor.township}）内：乡镇负责人只能把项目“{fid}”"
                               "移到本乡镇范围内；如确需移到别处，请联系规划局编辑。",
                               english=f"The new position is outside your township ({actor.township}): a township "
                                       f"head can move project “{fid}” only within it. Ask a bureau editor.")


# ----------------------------------------------------------------------------- the guarded store
class GuardedStore(DispatchGuard, DispatchImportGuard, PhotoGuard):
    """A store as one actor may use it: an allow-list of the store's methods, each checked here (the monthly
    调度 cycle's methods — save_progress, transition_progress, add_problem, resolve_problem, import_progress —
    in :mod:`xxgeo.policy_dispatch` and :mod:`xxgeo.policy_dispatch_import`)."""

    __slots__ = ("_store", "actor")

    def __init__(self, store, actor: Actor) -> None:
        if isinstance(store, GuardedStore):
            raise TypeError("a GuardedStore wraps a store, not another GuardedStore")
        self._store = store
        self.actor = actor

    def __repr__(self) -> str:
        return f"GuardedStore({self._store!r}, {self.actor!r})"

    # ---------------------------------------------------------------- identity (anyone)
    @property
    def kind(self) -> str:
        return self._store.kind

    @property
    def location(self) -> str:
        return self._store.location

    @property
    def name(self) -> str:
        return self._store.name

    def version(self) -> str:
        """The store's version token (see :meth:`xxgeo.store.Store.version`)."""
        return self._store.version()

    def exists(self) -> bool:
        return self._store.exists()

    def require(self) -> None:
        self._store.require()

    def layer_names(self) -> list[str]:
        return self._store.layer_names()

    # ---------------------------------------------------------------- reading (filtered for the public)
    def read(self, layer: str):
        """One layer as this actor may see it (:func:`visible_frame`)."""
        return visible_frame(self.actor, layer, self._store.read(layer))

    def __getitem__(self, layer: str):
        return self.read(layer)

    def load(self, layers=None) -> Dataset:
        """Every layer (or the named ones) as this actor may see them."""
        ds = self._store.load(layers)
        return public_dataset(ds) if self.actor.is_public else ds

    def validate(self):
        """Validation of every layer: for signed-in users (it reads internal layers)."""
        check_signed_in(self.actor)
        return self._store.validate()

    def audit_entries(self):
        """The audit log: for signed-in users."""
        check_signed_in(self.actor)
        return self._store.audit_entries()

    def export_frame(self, layer: str, *, public_only: bool):
        """The rows and columns of ``layer`` this actor may take away: internal data for editors and admins,
        otherwise only with ``public_only`` (public rows, public fields; internal layers refused)."""
        check_export(self.actor, public_only)
        if public_only and layer not in PUBLIC_FIELDS:
            raise ImportRefused(f"图层“{LAYERS[layer].label}”是内部数据，不能以“仅公开”方式导出。",
                                english=f"Layer “{layer}” is internal and cannot be exported as public data.")
        df = self._store.read(layer)
        return public_frame(layer, df) if public_only else df

    # ---------------------------------------------------------------- backups (editors and admins)
    def list_backups(self) -> list:
        check_whole_layers(self.actor, "查看备份")
        return self._store.list_backups()

    def find_backup(self, backup):
        check_whole_layers(self.actor, "查看备份")
        return self._store.find_backup(backup)

    def backup(self, reason: str = ""):
        check_whole_layers(self.actor, "创建备份")
        return self._store.backup(reason)

    def restore(self, backup, **_kw):
        """Restore a backup, audited as this actor."""
        check_whole_layers(self.actor, "恢复备份")
        return self._store.restore(backup, user=self.actor.user)

    def swap_in(self, source, **kw):
        """Swap a backup in (undo of an import)."""
        check_whole_layers(self.actor, "撤销导入")
        return self._store.swap_in(source, **kw)

    # ---------------------------------------------------------------- writes
    def write_layers(self, frames, **kw):
        """Whole-layer writes (imports, indicator tables): editors and admins, audited as this actor."""
        check_whole_layers(self.actor, "整层写入或导入数据")
        return self._store.write_layers(frames, **{**kw, "user": self.actor.user})

    def update_feature(self, layer: str, feature_id: str, changes: dict, *, expected_version: int | None = None,
                       geometry=None, user: str | None = None) -> int:
        """``store.update_feature`` as this actor, refused unless the role allows this feature and change;
        the check runs on the row the edit's own transaction read (locked)."""
        check_signed_in(self.actor)
        actor, store = self.actor, self._store
        check_generic_edit(actor, layer, changes)

        def guard(current: dict) -> None:
            check_feature(actor, layer, current, changes)
            if geometry is not None and actor.role not in WRITERS:
                check_move(actor, feature_id, geometry, store.read("townships"))

        return self._store.update_feature(layer, feature_id, changes, guard=guard, user=self.actor.user,
                                          expected_version=expected_version, geometry=geometry)

    def undo_feature(self, decide):
        """Undo of a feature edit (:func:`xxgeo.edits.undo_last`): editors and admins."""
        check_whole_layers(self.actor, "撤销修改")
        return self._store.undo_feature(decide)

    def append_audit(self, rows: list[dict]) -> None:
        """Audit rows, written as this actor (any signed-in role)."""
        check_signed_in(self.actor)
        self._store.append_audit([{**r, "user": self.actor.user} for r in rows])

    def accounts(self):
        """The store's accounts, for an admin (:class:`xxgeo.accounts.Accounts`)."""
        check_accounts(self.actor)
        return self._store.accounts()

