"""Wall prints A4–A0 (issue 14 item 4): page sizes in points, a scale bar whose label is its geodesic length,
searchable Chinese and English text, themes and their refusals, area-only projects counted (not pinned), a
background image warped under the map, and the ``print`` command."""

from __future__ import annotations

import datetime as _dt
import io
import re
import shutil
import subprocess

import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import Point

from xxgeo.errors import ImportRefused, NotFound
from xxgeo.reports.printlayout import PrintRequest, render_print
from xxgeo.reports.printthemes import ThemeUnavailable
from xxgeo.store import Dataset

#: ISO 216 in millimetres, written out here (not taken from the code under test)
ISO = {"A4": (210, 297), "A3": (297, 420), "A2": (420, 594), "A1": (594, 841), "A0": (841, 1189)}
NOW = _dt.datetime(2026, 12, 1, 17, 30, tzinfo=_dt.UTC)  # 2026-12-02 01:30 in Asia/Shanghai


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package poppler-utils"
    return path


def pdf_text(data: bytes, tmp_path) -> str:
    p = tmp_path / "print.pdf"
    p.write_bytes(data)
    return subprocess.run([_tool("pdftotext"), str(p), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_size(data: bytes, tmp_path) -> tuple[float, float]:
    p = tmp_path / "size.pdf"
    p.write_bytes(data)
    out = subprocess.run([_tool("pdfinfo"), str(p)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", out)
    return float(m.group(1)), float(m.group(2))


@pytest.mark.parametrize("orient", ["landscape", "portrait"])
@pytest.mark.parametrize("size", [pytest.param(s, marks=pytest.mark.slow) if s in ("A3", "A2", "A1") else s
                                  for s in ISO])
def test_page_size_in_points(dataset, tmp_path, size, orient):
    res = render_print(dataset, PrintRequest(size=size, orient=orient), now=NOW)
    short, long_ = (v * 72 / 25.4 for v in ISO[size])
    want = (long_, short) if orient == "landscape" else (short, long_)
    got = page_size(res.data, tmp_path)
    assert got == pytest.approx(want, abs=0.01)
    assert res.page_pt == pytest.approx(want, abs=0.01)


@pytest.mark.parametrize("township", [None, "140828102"])
def test_scale_bar_is_its_geodesic_length(dataset, tmp_path, township):
    from pyproj import Geod, Transformer

    res = render_print(dataset, PrintRequest(size="A3", township=township), now=NOW)
    (x0, y0), (x1, y1) = res.scale_bar_xy
    lon, lat = Transformer.from_crs("EPSG:4546", "EPSG:4326", always_xy=True).transform([x0, x1], [y0, y1])
    geodesic = Geod(ellps="GRS80").inv(lon[0], lat[0], lon[1], lat[1])[2]
    assert geodesic == pytest.approx(res.scale_bar_m, rel=1e-6)
    label = f"{res.scale_bar_m / 1000:g}km" if res.scale_bar_m >= 1000 else f"{res.scale_bar_m:g}m"
    assert label in flat(pdf_text(res.data, tmp_path))
    assert str(int(res.scale_bar_m))[0] in "125" and set(str(int(res.scale_bar_m))[1:]) <= {"0"}


def test_chinese_text_is_searchable(dataset, tmp_path):
    res = render_print(dataset, PrintRequest(size="A4", approval_no=None), now=NOW)
    text = flat(pdf_text(res.data, tmp_path))
    for words in ("夏县项目分布图（按项目类别）", "图例", "审图号：未注明", "制图日期：2026-12-02（北京时间）",
                  "数据来源：", "EPSG:4546", "圆内数字", "瑶峰镇", "位置示意", "全县性项目"):
        assert words in text, words
    fonts = subprocess.run([_tool("pdffonts"), "-"], input=res.data, capture_output=True).stdout.decode()
    assert "CID TrueType" in fonts and " yes yes yes " in fonts  # embedded, subset, with a ToUnicode map


def test_english_text_and_approval_number(dataset, tmp_path):
    res = render_print(dataset, PrintRequest(size="A0", orient="portrait", lang="en", approval_no="晋S(2026)001号",
                                             title="Projects <b>$x$</b>"), now=NOW)
    text = pdf_text(res.data, tmp_path)
    assert "Projects <b>$x$</b>" in text  # shown as typed: no markup, no mathtext
    f = flat(text)
    for words in ("Legend", "Mapapprovalnumber:晋S(2026)001号", "Madeon2026-12-02(ChinaStandardTime)",
                  "Datasources:", "Numberinacircle", "County-wideprojects"):
        assert words in f, words
    assert "未注明" not in f and "图例" not in f


def test_area_only_projects_are_counted_not_pinned(dataset, tmp_path):
    p = dataset["projects"].copy()
    area_only = int(p["loc_precision"].isin(["township", "park", "county"]).sum())
    i = p.index[p["loc_precision"] == "township"][0]
    p.loc[i, "loc_precision"] = "surveyed"
    p.loc[i, "geometry"] = Point(111.2, 35.15)
    res = render_print(Dataset({**dataset.layers, "projects": p}), PrintRequest(), now=NOW)
    assert res.pins == 1 and res.counted == area_only - 1


def test_stage_theme(dataset, tmp_path):
    with pytest.raises(ThemeUnavailable) as ei:
        render_print(dataset, PrintRequest(theme="stage"))
    assert "阶段" in ei.value.message and "stage" in ei.value.english
    p = dataset["projects"].copy()
    p["stage"] = None
    p.loc[p.index[:40], "stage"] = "新开工"
    p.loc[p.index[40:60], "stage"] = "续建"
    res = render_print(Dataset({**dataset.layers, "projects": p}), PrintRequest(theme="stage"), now=NOW)
    text = flat(pdf_text(res.data, tmp_path))
    assert "按项目阶段" in text and "新开工" in text and "续建" in text and "未注明" in text


def test_warning_theme(dataset, tmp_path):
    with pytest.raises(ThemeUnavailable) as ei:
        render_print(dataset, PrintRequest(theme="warning"))
    assert "调度进度数据" in ei.value.message
    ids = dataset["projects"]["project_id"].astype(str)
    lights = pd.Series(["red", "yellow", "green"], index=ids.iloc[:3].values)
    res = render_print(dataset, PrintRequest(theme="warning"), lights=lights, now=NOW)
    text = flat(pdf_text(res.data, tmp_path))
    assert "红灯" in text and "黄灯" in text and "绿灯" in text and "无预警" in text


def test_township_choropleth(dataset, tmp_path):
    res = render_print(dataset, PrintRequest(theme="township:project_count", orient="portrait"), now=NOW)
    text = flat(pdf_text(res.data, tmp_path))
    assert "乡镇专题：项目数" in text and "个" in text
    with pytest.raises(NotFound):
        render_print(dataset, PrintRequest(theme="township:没有这个指标"))


@pytest.mark.parametrize("bad", [PrintRequest(size="A5"), PrintRequest(orient="sideways"), PrintRequest(fmt="jpg")])
def test_bad_requests_are_one_sentence(dataset, bad):
    with pytest.raises(ImportRefused) as ei:
        render_print(dataset, bad)
    assert ei.value.english and "\n" not in ei.value.message


def test_background_is_drawn_under_the_map(dataset):
    asked = []

    def background(bounds, w, h):
        asked.append((bounds, w, h))
        img = Image.new("RGBA", (w, h), (20, 160, 200, 255))
        img.paste((0, 0, 0, 0), (0, 0, w // 4, h))  # no tile on the west quarter: must stay white, not black
        return img

    res = render_print(dataset, PrintRequest(size="A4", fmt="png"), background=background, now=NOW)
    assert res.background
    (west, south, east, north), w, h = asked[0]
    cb = dataset["county"].total_bounds
    assert west <= cb[0] and south <= cb[1] and east >= cb[2] and north >= cb[3]
    im = Image.open(io.BytesIO(res.data)).convert("RGB").resize((600, 424))
    colours = dict((c, n) for n, c in im.getcolors(1 << 20))
    blueish = sum(n for c, n in colours.items() if abs(c[0] - 20) < 25 and abs(c[1] - 160) < 25
                  and abs(c[2] - 200) < 25)
    assert blueish > 600 * 424 * 0.2
    assert colours.get((0, 0, 0), 0) < 600 * 424 * 0.02
    none = render_print(dataset, PrintRequest(size="A4", fmt="png"), background=lambda *a: None, now=NOW)
    assert not none.background


def test_png_sizes(dataset):
    res = render_print(dataset, PrintRequest(size="A3", orient="portrait", fmt="png"), now=NOW)
    im = Image.open(io.BytesIO(res.data))
    assert im.size == (round(297 / 25.4 * 300), round(420 / 25.4 * 300))


def test_a0_file_size_is_sensible(dataset):
    res = render_print(dataset, PrintRequest(size="A0"), now=NOW)
    assert len(res.data) < 2_000_000  # vector: the same few hundred KB as an A4


# ----------------------------------------------------------------------------- the command
def _run(args: list) -> int:
    from xxgeo import cli

    return cli.main(args)


def test_cli_print_a0_pdf(built_store_path, tmp_path, capsys):
    out = tmp_path / "wall.pdf"
    rc = _run(["print", "--size", "A0", "--orient", "portrait", "--township", "裴介", "--approval-no", "晋S(2026)9号",
               "--title", "裴介镇挂图", "--out", str(out), "--store", str(built_store_path)])
    assert rc == 0 and "已写出" in capsys.readouterr().out
    assert page_size(out.read_bytes(), tmp_path) == pytest.approx((841 * 72 / 25.4, 1189 * 72 / 25.4), abs=0.01)
    text = flat(pdf_text(out.read_bytes(), tmp_path))
    assert "裴介镇挂图" in text and "审图号：晋S(2026)9号" in text


@pytest.mark.parametrize("args, words", [
    (["--out", "x.jpg"], ".pdf"),
    (["--theme", "colour", "--out", "x.pdf"], "专题"),
    (["--theme", "stage", "--out", "x.pdf"], "阶段"),
    (["--theme", "warning", "--out", "x.pdf"], "调度进度数据"),
    (["--theme", "township:无此指标", "--out", "x.pdf"], "乡镇指标"),
    (["--township", "不存在乡", "--out", "x.pdf"], "不存在乡"),
])
def test_cli_refusals(built_store_path, tmp_path, capsys, args, words):
    args = [a if a not in ("x.pdf", "x.jpg") else str(tmp_path / a) for a in args]
    rc = _run(["print", *args, "--store", str(built_store_path)])
    err = capsys.readouterr().err.strip()
    assert rc != 0 and not list(tmp_path.iterdir())
    assert err.startswith("错误：") and len(err.splitlines()) == 1 and words in err


def test_cli_refusal_in_english(built_store_path, tmp_path, capsys):
    rc = _run(["--lang", "en", "print", "--theme", "warning", "--out", str(tmp_path / "x.pdf"),
               "--store", str(built_store_path)])
    err = capsys.readouterr().err.strip()
    assert rc != 0 and err.startswith("Error: ") and "progress data" in err


def test_report_maps_take_the_same_background(dataset):
    """The township report, park brochure and PNG print maps draw the background under their maps too."""
    from xxgeo import reports
    from xxgeo.reports.figures import park_figure, township_figure

    calls = []

    def background(bounds, w, h):
        calls.append(bounds)
        return Image.new("RGBA", (w, h), (20, 160, 200, 255))

    fig, _ = township_figure(dataset, "140828102", background=background, dpi=60)
    assert fig.axes[0].images and len(calls) == 1
    fig, _ = park_figure(dataset, "peijie", background=background, dpi=60)
    assert fig.axes[0].images and fig.axes[1].images and len(calls) == 3
    assert reports.township_report_pdf(dataset, "140828102", background=background)[:5] == b"%PDF-"
    png = reports.print_map_png(dataset, "township", "140828102", dpi=60, background=background)
    im = Image.open(io.BytesIO(png)).convert("RGB")
    assert sum(n for n, c in im.getcolors(1 << 20) if c == (20, 160, 200)) > im.width * im.height * 0.1


def test_cli_report_basemap_unavailable_is_one_sentence(built_store_path, tmp_path, capsys):
    rc = _run(["report", "township", "裴介", "--basemap", "影像", "--out", str(tmp_path / "t.pdf"),
               "--store", str(built_store_path)])
    err = capsys.readouterr().err.strip()
    assert rc != 0 and len(err.splitlines()) == 1 and "影像" in err
