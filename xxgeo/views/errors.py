"""The one way the views show an error a user caused: the exception's own sentence, in the UI's language.

Every :class:`~xxgeo.errors.XxgeoError` carries a Chinese ``message`` and, where written, an ``english`` twin;
in English mode the twin is shown (the Chinese sentence when there is none). Anything that is not an
``XxgeoError`` is a bug: it is not caught here, and its ``str()`` never reaches a user.
"""

from __future__ import annotations

import streamlit as st

from ..errors import XxgeoError
from ..textsafe import md


def error_text(exc: XxgeoError, lang: str = "zh") -> str:
    """The sentence ``exc`` carries in ``lang`` (English when written, else the Chinese message)."""
    if lang == "en" and exc.english:
        return exc.english
    return exc.message


def show_error(exc: XxgeoError, lang: str = "zh") -> None:
    """``st.error`` with the error's sentence in ``lang``."""
    st.error(md(error_text(exc, lang)))  # names and values in the sentence stay text


def show_warning(exc: XxgeoError, lang: str = "zh") -> None:
    """``st.warning`` with the error's sentence in ``lang`` (for problems that do not stop the page)."""
    st.warning(md(error_text(exc, lang)))
