"""Fonts on a fresh machine (issue 14 item 5): the font folders of each system are searched (as a parameter, so
a fake folder list stands in for Windows or macOS), the fonts those systems ship are preferred, a CFF-outline
font (Noto Sans CJK, Source Han Sans) is used through a TrueType copy, and without any font one sentence says
what to install on that system."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from xxgeo.reports import fonts

SAMPLE = "乡镇园区项目指标夏县"


def _wqy() -> str:
    path = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    if not Path(path).is_file():
        pytest.skip("fonts-wqy-zenhei is not installed")
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_FONT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("XXGEO_CJK_FONT", raising=False)
    fonts.reset_font_cache()
    yield tmp_path / "cache"
    fonts.reset_font_cache()


def tiny_cff_font(path: Path, text: str = SAMPLE + "0123456789S") -> Path:
    """A small OpenType font with CFF outlines (a square per character), as Noto Sans CJK is built."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    names = [".notdef"] + [f"uni{ord(c):04X}" for c in text]
    fb = FontBuilder(1000, isTTF=False)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): f"uni{ord(c):04X}" for c in text})
    strings = {}
    for i, name in enumerate(names):
        pen = T2CharStringPen(600, None)
        pen.moveTo((50, 0))
        pen.lineTo((50, 700 - i))
        pen.curveTo((200, 760), (400, 760), (550, 700 - i))
        pen.lineTo((550, 0))
        pen.closePath()
        strings[name] = pen.getCharString()
    fb.setupCFF("TinyCJK-Regular", {"FullName": "Tiny CJK"}, strings, {})
    fb.setupHorizontalMetrics({n: (600, 50) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "Tiny CJK", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    fb.save(str(path))
    return path


def test_system_fonts_are_preferred_in_a_windows_folder(tmp_path, cache):
    win = tmp_path / "Windows" / "Fonts"
    win.mkdir(parents=True)
    shutil.copy(_wqy(), win / "simsun.ttc")
    shutil.copy(_wqy(), win / "msyh.ttc")
    shutil.copy(_wqy(), win / "aaa-other-cjk.ttc")  # first by name, but not a font Windows ships
    dejavu = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True).stdout
    shutil.copy(dejavu, win / "arial.ttf")
    f = fonts.find_cjk_font(env="", dirs=[win])
    assert Path(f.path).name == "msyh.ttc" and f.family


def test_macos_folders_searched(tmp_path, cache):
    home = tmp_path / "home"
    assert fonts.font_dirs("darwin", home)[0] == Path("/System/Library/Fonts")
    user = fonts.font_dirs("darwin", home)[-1]
    user.mkdir(parents=True)
    shutil.copy(_wqy(), user / "PingFang.ttc")
    assert Path(fonts.find_cjk_font(env="", dirs=fonts.font_dirs("darwin", home)).path).name == "PingFang.ttc"


def test_font_folders_of_each_system(tmp_path):
    home = tmp_path
    assert Path("C:/Windows/Fonts") in fonts.font_dirs("windows", home)
    assert home / ".local" / "share" / "fonts" in fonts.font_dirs("linux", home)  # no root needed
    assert Path("/usr/share/fonts") in fonts.font_dirs("linux", home)


def test_a_cff_font_is_used_through_a_truetype_copy(tmp_path, cache):
    folder = tmp_path / "fonts"
    folder.mkdir()
    tiny_cff_font(folder / "TinyCJK-Regular.otf")
    f = fonts.find_cjk_font(env="", dirs=[folder])
    assert Path(f.path).parent == cache and f.path.endswith(".ttf") and f.family == "Tiny CJK xxgeo"
    from fontTools.ttLib import TTFont

    with TTFont(f.path) as t:
        assert "glyf" in t and "CFF " not in t
    again = fonts.find_cjk_font(env="", dirs=[folder])  # the copy is made once
    assert again.path == f.path and len(list(cache.iterdir())) == 1


def test_the_copy_embeds_searchable_text_in_reportlab_and_matplotlib(tmp_path, cache):
    import io

    import matplotlib
    from matplotlib import font_manager
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    folder = tmp_path / "fonts"
    folder.mkdir()
    tiny_cff_font(folder / "TinyCJK-Regular.otf")
    f = fonts.find_cjk_font(env="", dirs=[folder])
    pdfmetrics.registerFont(TTFont("TinyProbe", f.path))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("TinyProbe", 12)
    c.drawString(50, 700, SAMPLE)
    c.save()
    (tmp_path / "rl.pdf").write_bytes(buf.getvalue())
    font_manager.fontManager.addfont(f.path)
    from xxgeo.reports.mapdraw import new_figure

    fig = new_figure(4, 2)
    with matplotlib.rc_context({"font.family": [f.family], "pdf.fonttype": 42}):
        fig.text(0.1, 0.5, "S2026" + SAMPLE)
        fig.savefig(tmp_path / "mpl.pdf")
    for name, want in (("rl.pdf", SAMPLE), ("mpl.pdf", "S2026" + SAMPLE)):
        run = subprocess.run(["pdftotext", str(tmp_path / name), "-"], capture_output=True, text=True)
        assert want in run.stdout.replace(" ", ""), name
        assert "Mismatch" not in run.stderr
        assert "TrueType" in subprocess.run(["pdffonts", str(tmp_path / name)], capture_output=True,
                                            text=True).stdout


def test_env_may_name_a_cff_font(tmp_path, cache):
    path = tiny_cff_font(tmp_path / "TinyCJK-Regular.otf")
    assert fonts.find_cjk_font(env=str(path)).family == "Tiny CJK xxgeo"


@pytest.mark.parametrize("system, words", [("linux", ["apt-get install fonts-wqy-zenhei", "~/.local/share/fonts"]),
                                           ("windows", ["中文（简体）", "为当前用户安装"]),
                                           ("darwin", ["PingFang", "~/Library/Fonts"])])
def test_no_font_says_what_to_install(tmp_path, cache, monkeypatch, system, words):
    monkeypatch.setattr(fonts, "_system", lambda: system)
    with pytest.raises(fonts.FontMissing) as ei:
        fonts.find_cjk_font(env="", dirs=[tmp_path / "empty"])
    msg = ei.value.message
    assert all(w in msg for w in words) and "XXGEO_CJK_FONT" in msg and "\n" not in msg
    assert "XXGEO_CJK_FONT" in ei.value.english and msg.count("。") <= 2
