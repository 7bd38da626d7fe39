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
#: Markdown (CommonMark + GFM + Streamlit's ``:directives:``, emoji and ``$math$``): what starts syntax anywhere
#: on a line (emphasis, code, links and images, autolinks, math, strikethrough), a ``:`` that could open a
#: directive or a URL scheme, ``www.`` and ``@`` (GFM autolinks), an ``_`` at a word edge (intraword ``_``
#: is never emphasis) and a block marker at the start. Escaped with a backslash (shown as the character).
_MD_RE = re.compile(r"[\\`*\[\]<>$~]|:(?=\S)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
#: Streamlit links bare URLs, ``www.`` names and e-mail addresses and turns ``:name:`` into emoji in the text it
#: shows, whatever the escapes: a zero-width space breaks each of them (invisible, the text reads the same).
_ZWSP = "\u200b"
_AUTOLINK_RE = re.compile(r"(?i)(:)(//)|(www)(\.)|(?<=\S)()(@)|(:)()(?=[a-z])")
_MD_START_RE = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))")
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


def unlink(text) -> str:
    """``text`` with bare URLs, ``www.`` names, e-mail addresses and ``:emoji:`` broken by zero-width spaces
    (for HTML that Streamlit shows: it links these after rendering)."""
    return _AUTOLINK_RE.sub(lambda m: _ZWSP.join(g for g in m.groups() if g is not None), str(text))


def md(text) -> str:
    """``text`` shown literally in Streamlit markdown (``st.markdown``, ``st.caption``, ``st.warning`` …):
    no live link, image, emphasis, heading, math or ``:directive:``; lines joined."""
    s = CONTROL_RE.sub("", str(text)).replace("\r", " ").replace("\n", " ")
    s = _MD_RE.sub(lambda m: "\\" + m.group(), unlink(s))
    return _MD_START_RE.sub(lambda m: m.group(1) + m.group(2) + "\\" if m.group(2)[0].isdigit()
                            else m.group(1) + "\\" + m.group(2), s)


#: matplotlib settings under which every text is drawn literally: ``$…$`` is never read as mathtext (a name
#: holding ``$\foo$`` would otherwise fail to draw, and ``$x$`` be drawn as math). Used by every figure.
MATPLOTLIB_RC = {"text.parse_math": False}
#: The longest label a figure draws (a title, an annotation, a legend entry), in characters.
FIGURE_LABEL_MAX = 40


def figure_label(text, limit: int = FIGURE_LABEL_MAX) -> str:
    """``text`` as a figure label: control characters gone, one line per line given, cut with an ellipsis."""
    return "\n".join(ellipsize(line, limit) for line in CONTROL_RE.sub("", str(text)).split("\n"))


#: The longest text a PDF table cell holds (a longer one would make a row taller than the page).
PDF_CELL_MAX = 300
#: The longest paragraph of a PDF (titles included).
PDF_TEXT_MAX = 3000


def pdf_markup(text, limit: int = PDF_TEXT_MAX) -> str:
    """``text`` as literal content of a reportlab ``Paragraph``: its XML-like markup escaped, control
    characters gone, cut with an ellipsis at ``limit`` characters (reportlab cannot lay out what does not fit
    on a page)."""
    return _xml_escape(ellipsize(CONTROL_RE.sub("", str(text)), limit))


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


#: Characters no file name may hold on Windows, macOS or Linux (and quotes, which browsers mangle).
_FILE_NAME_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f“”‘’]')


def file_name(text, limit: int = 80) -> str:
    """``text`` as a download's file name stem: characters no file system accepts removed, spaces kept,
    at most ``limit`` characters; ``"download"`` when nothing is left."""
    return _FILE_NAME_BAD.sub("", str(text)).strip(" .")[:limit].rstrip(" .") or "download"
