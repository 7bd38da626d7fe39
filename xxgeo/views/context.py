"""What every view receives: the store, the loaded dataset, the language and the URL parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import tr
from ..store import Dataset, GpkgStore


@dataclass
class ViewContext:
    """Passed to each view's ``render(ctx)``."""

    store: GpkgStore
    dataset: Dataset
    lang: str = "zh"
    params: dict = field(default_factory=dict)
    user: str = "planner"

    def t(self, key: str, **kw) -> str:
        """Translate a UI string key into the current language."""
        return tr(key, self.lang, **kw)

    def reload(self) -> None:
        """Ask the app to reload the dataset after a write (clears the I/O cache)."""
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()
