"""What every view receives: the store (as the signed-in user sees it), the dataset, the language, the URL
parameters and who is using the app."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import tr
from ..policy import WRITERS, Actor
from ..store import Dataset, Store


@dataclass
class ViewContext:
    """Passed to each view's ``render(ctx)``."""

    store: Store  # in the app a GuardedStore: every write is checked against ``actor``'s role
    dataset: Dataset
    lang: str = "zh"
    params: dict = field(default_factory=dict)
    actor: Actor = field(default_factory=lambda: Actor("planner", "editor"))
    user: str = ""
    #: True when ``dataset`` is the public's share (the public, and the investor view for everyone)
    public_data: bool = False
    #: investor mode (``XXGEO_KIOSK=investor`` or ``?kiosk=1``): the view shows nothing of the rest of the app
    kiosk: bool = False

    def __post_init__(self) -> None:
        self.user = self.user or self.actor.user
        self.public_data = self.public_data or self.actor.is_public

    @property
    def can_write_all(self) -> bool:
        """Bureau editors and admins: imports, restores, every project, internal exports."""
        return self.actor.role in WRITERS

    def t(self, key: str, **kw) -> str:
        """Translate a UI string key into the current language."""
        return tr(key, self.lang, **kw)

    def reload(self) -> None:
        """Ask the app to reload the dataset after a write (clears the I/O cache)."""
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()
