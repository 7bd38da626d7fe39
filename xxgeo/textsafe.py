"""Text made safe for the sink it goes to, in one place (issue 18): every sink escapes with these.

Text from users, files and URLs may hold characters that mean something to the sink: markdown links and
images (Streamlit), mathtext ``$…$`` (matplotlib), markup ``<b>`` (reportlab), a leading ``=`` that a
spreadsheet runs as a formula (CSV, Excel), control characters that Excel files cannot hold. Each function
below neutralises one sink and keeps the text readable; none of them changes stored data.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as _xml_escape

#: Control characters no sink should see (tab, line feed and carriage return are kept where text may wrap).
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Markdown (CommonMark + GFM + Streamlit's ``:directives:`` and ``$math$``): every ASCII punctuation that
#: starts syntax, escaped with a backslash (renders as the character itself). ``&`` and ``;`` are left so
#: HTML entities made by :func:`html.escape` still display.
_MD_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=^\"'%/])")
#: What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ELLIPSIS = "…"


def strip_controls(text: str) -> tuple[str, bool]:
    """``text`` without control characters, and whether any were removed (for a note)."""
    clean = CONTROL_RE.sub("", text)
    return clean, clean != text


def has_controls(text: str) -> bool:
    """True when ``text`` holds a control character (refused on edit, stripped on import)."""
    return bool(CONTROL_RE.search(text))


def md(text) -> str:
    """``text`` shown literally in Streamlit markdown (``st.markdown``, ``st.caption``, ``st.warning`` …):
    no live link, image, emphasis, heading, math or ``:directive:``; lines joined."""
    s = CONTROL_RE.sub("", str(text)).replace("\r", " ").replace("\n", " ")
    return _MD_RE.sub(r"\\\1", s)


def mathtext(text) -> str:
    """``text`` drawn literally by matplotlib (every ``$`` escaped, so nothing is read as mathtext)."""
    return CONTROL_RE.sub("", str(text)).replace("\\", "\\\\").replace("$", r"\$")


def pdf_markup(text) -> str:
    """``text`` as literal content of a reportlab ``Paragraph`` (its XML-like markup escaped)."""
    return _xml_escape(CONTROL_RE.sub("", str(text)))


def ellipsize(text, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    s = str(text)
    return s if len(s) <= limit else s[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def cell(value):
    """A value as a spreadsheet cell (CSV or Excel): text that a spreadsheet would run as a formula gets a
    leading apostrophe, control characters go; numbers, dates and empty values pass unchanged."""
    if not isinstance(value, str):
        return value
    s = CONTROL_RE.sub("", value)
    return "'" + s if s.startswith(FORMULA_STARTS) else s
