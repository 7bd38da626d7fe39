"""Data placed inside a page's <script> elements."""

from __future__ import annotations

import json


def js_json(obj) -> str:
    """JSON safe to place inside a <script> element: no "<", ">" or "&" survive, so nothing in the data can
    end or re-open a script element, and the JavaScript line separators are escaped."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
