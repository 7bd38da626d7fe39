"""Issue 14's "done when", print side: a basemap package added by command shows under an A0 wall print (PNG and
vector PDF), with nothing online; the tiles are ones the test makes itself."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest
from basemap_packages import COLOUR, tiles, write_zip
from PIL import Image

from xxgeo.cli import main


@pytest.fixture
def store_with_package(built_store_path, tmp_path, dataset):
    store = tmp_path / "x.gpkg"
    shutil.copy2(built_store_path, store)
    b = dataset["county"].total_bounds
    src = write_zip(tmp_path / "p.zip", tiles((b[0] - 0.05, b[1] - 0.05, b[2] + 0.05, b[3] + 0.05), zooms=(8, 9, 10)))
    assert main(["basemap", "add", str(src), "--name", "县域影像", "--store", str(store)]) == 0
    return store


def test_an_a0_png_print_draws_the_package_under_the_layers(store_with_package, tmp_path):
    out = tmp_path / "a0.png"
    assert main(["print", "--size", "A0", "--theme", "category", "--basemap", "县域影像", "--store",
                 str(store_with_package), "--out", str(out)]) == 0
    with Image.open(out) as im:
        assert max(im.size) > 5000  # A0 at the print resolution
        small = im.convert("RGB").resize((im.width // 20, im.height // 20), Image.NEAREST)
    counts = Counter({colour: n for n, colour in small.getcolors(maxcolors=1 << 24)})
    share = counts[COLOUR] / sum(counts.values())
    assert share > 0.05, f"the package's colour covers only {share:.1%} of the sheet"
    plain = tmp_path / "plain.png"
    assert main(["print", "--size", "A4", "--theme", "category", "--store", str(store_with_package),
                 "--out", str(plain)]) == 0
    with Image.open(plain) as im:
        seen = {colour for _, colour in im.convert("RGB").resize((200, 140)).getcolors(maxcolors=1 << 24)}
    assert COLOUR not in seen  # no basemap asked: none drawn


def test_an_a0_pdf_print_embeds_the_package_and_keeps_its_text(store_with_package, tmp_path):
    out = tmp_path / "a0.pdf"
    assert main(["print", "--size", "A0", "--theme", "category", "--basemap", "县域影像", "--title", "夏县项目挂图",
                 "--store", str(store_with_package), "--out", str(out)]) == 0
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) > 2, "the basemap is an image inside the vector PDF"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "夏县项目挂图" in text and "县域影像" in text
