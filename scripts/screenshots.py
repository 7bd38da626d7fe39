"""Regenerate the user-guide screenshots in docs/img from a running app (offline: non-local requests blocked).

    streamlit run app.py --server.port 8599 &
    .venv/bin/python scripts/screenshots.py http://localhost:8599
"""

import sys
from pathlib import Path
from urllib.parse import quote, urlparse

from playwright.sync_api import sync_playwright

VIEWS = {
    "planning": "view=planning",
    "township": "view=township&township=" + quote("裴介镇"),
    "investor": "view=investor&park=" + quote("裴介"),
    "indicators": "view=indicators",
    "data": "view=data",
}
OUT = Path(__file__).resolve().parent.parent / "docs" / "img"


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for name, query in VIEWS.items():
            page = b.new_page(viewport={"width": 1440, "height": 960})
            page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname in
                       ("localhost", "127.0.0.1", None) else r.abort())
            page.goto(f"{base}/?{query}")
            page.wait_for_timeout(12000)
            page.screenshot(path=str(OUT / f"{name}.png"))
            page.close()
        b.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8501")
