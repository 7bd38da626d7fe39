"""Reports: the township one-pager and park brochure as PDFs whose text (pdftotext) carries the right names
and figures in an embedded CJK font; the 300-dpi print map; the CLI; the missing-font error."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pandas as pd
import pytest
from PIL import Image

from xxgeo import reports
from xxgeo.analysis import park_distances, township_stats
from xxgeo.mapping import MapFilter, filter_projects
from xxgeo.names import resolve_park, resolve_township
from xxgeo.provenance import source_label
from xxgeo.reports import fonts
from xxgeo.reports.township import township_facts
from xxgeo.store import Dataset
from xxgeo.vocab import fmt_wan


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package poppler-utils"
    return path


def pdf_text(data: bytes, tmp_path, name: str = "r.pdf") -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return subprocess.run([_tool("pdftotext"), "-raw", str(p), "-"], capture_output=True, text=True,
                          check=True).stdout


def flat(text: str) -> str:
    """Text without whitespace: table cells wrap names over lines."""
    return re.sub(r"\s+", "", text)


def pages(data: bytes, tmp_path) -> int:
    p = tmp_path / "p.pdf"
    p.write_bytes(data)
    out = subprocess.run([_tool("pdfinfo"), str(p)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def embedded_fonts(data: bytes, tmp_path) -> list[str]:
    p = tmp_path / "f.pdf"
    p.write_bytes(data)
    out = subprocess.run([_tool("pdffonts"), str(p)], capture_output=True, text=True, check=True).stdout
    return [ln for ln in out.splitlines()[2:] if " yes " in ln]


@pytest.fixture(scope="module")
def sijiao(dataset):
    code = resolve_township("泗交", dataset["townships"])
    return code, reports.township_report_pdf(dataset, code)


# ----------------------------------------------------------------------------- township report
def test_township_report_text_and_figures(dataset, sijiao, tmp_path):
    code, data = sijiao
    assert data[:5] == b"%PDF-"
    text = pdf_text(data, tmp_path)
    f = flat(text)
    t = dataset["townships"].set_index("code").loc[code]
    stats = township_stats(dataset).set_index("code").loc[code]
    projects = filter_projects(dataset["projects"], MapFilter(townships=(code,)))
    assert "泗交镇项目一页报告" in f
    assert f"统计用区划代码{code}" in f
    assert f"项目数{len(projects)}个" in f
    for name in projects["name"]:
        assert flat(name) in f
    assert f"{int(t['village_units'])}个（国家统计局2023统计用区划代码）" in f
    assert f"{stats['area_km2']:.1f}km²（按示意边界计算，非法定面积）" in f
    assert "示意" in f and "乡镇示意点" in f and "资料来源" in f
    pv = dataset["plan_villages"]
    for v in pv[pv["township_code"] == code]["village"]:
        assert v in f
    for name in dataset["scenic_sites"].query("township_code == @code")["name"]:
        assert flat(name) in f
    assert 1 <= pages(data, tmp_path) <= 2
    assert any("WenQuanYi" in ln or "CJK" in ln for ln in embedded_fonts(data, tmp_path))


@pytest.mark.slow
def test_every_township_fits_two_pages(dataset, tmp_path):
    for code, name in zip(dataset["townships"]["code"], dataset["townships"]["name"]):
        data = reports.township_report_pdf(dataset, code)
        assert 1 <= pages(data, tmp_path) <= 2, name
        f = flat(pdf_text(data, tmp_path))
        assert f"{name}项目一页报告" in f
        facts = township_facts(dataset, code)
        assert f"项目数{facts['projects']}个" in f, name
        if facts["investment_wan"] is not None:
            assert flat(fmt_wan(facts["investment_wan"])) in f, name  # the stated investment total


def test_township_without_projects_or_villages(dataset, tmp_path):
    ds = Dataset({**dataset.layers, "projects": dataset["projects"].iloc[0:0],
                  "plan_villages": dataset["plan_villages"].iloc[0:0], "places": dataset["places"].iloc[0:0]})
    code = resolve_township("胡张", ds["townships"])
    f = flat(pdf_text(reports.township_report_pdf(ds, code), tmp_path))
    assert "项目数0个" in f and "（规划未列出本乡镇的项目）" in f and "已注明总投资未注明" in f
    f = flat(pdf_text(reports.park_brochure_pdf(ds, resolve_park("裴介", ds["parks"])), tmp_path))
    assert "（数据库中没有参照地点/noreferenceplacesinthestore）" in f


def test_report_text_is_escaped(dataset, tmp_path):
    code = resolve_township("泗交", dataset["townships"])
    p = dataset["projects"].copy()
    i = p.index[p["township_code"] == code][0]
    p.loc[i, "name"] = "测试<b>项目&amp;</b>"
    p.loc[i, "investment_wan"] = 12345.0
    ds = Dataset({**dataset.layers, "projects": p})
    f = flat(pdf_text(reports.township_report_pdf(ds, code), tmp_path))
    assert "测试<b>项目&amp;</b>" in f and "12,345" in f


# ----------------------------------------------------------------------------- park brochure
def test_park_brochure_bilingual_with_figures(dataset, tmp_path):
    pid = resolve_park("裴介", dataset["parks"])
    data = reports.park_brochure_pdf(dataset, pid)
    text = pdf_text(data, tmp_path)
    f = flat(text)
    park = dataset["parks"].set_index("park_id").loc[pid]
    assert flat(park["name"]) in f and "Peijie" in text and "Investor brochure" in text
    # plan line 1137: 规划范围用地面积10.95平方公里，其中建设用地7.99平方公里，12000亩
    assert "10.95km²（16,425亩mu）" in f
    assert "7.99km²（规划所述/stated）" in f and "12,000亩mu（规划所述/stated）" in f
    assert f"{park['area_km2']:.2f}km²" in f and "示意范围" in f
    # straight-line distances to every reference place (the app's computation), sources named for people
    for _, r in park_distances(park["geometry"], dataset["places"]).iterrows():
        assert flat(r["place"]) in f and f"{r['km']:.1f}km" in f
        assert flat(source_label(r["source"], "both")) in f and flat(str(r["source"]))[:20] not in f
    assert "直线距离" in f and "Straight-line" in text
    assert "距离运城市市中心14公里" in f and "14 km to Yuncheng city centre" in text  # plan line 1139
    assert "联系人" in f and "Contact" in text and "______" not in text  # contacts not entered: 未注明
    assert "Keywords in English" in text and "new energy" in text
    assert 1 <= pages(data, tmp_path) <= 2
    assert embedded_fonts(data, tmp_path)


def test_park_brochure_public_only(dataset, tmp_path):
    pid = resolve_park("水头", dataset["parks"])
    p = dataset["projects"].copy()
    mine = p.index[p["park_id"] == pid]
    assert len(mine) >= 2
    p.loc[mine[0], "name"] = "内部测试项目甲"
    p.loc[mine[0], "public"] = False
    p.loc[mine[1], "name"] = "公开测试项目乙"
    ds = Dataset({**dataset.layers, "projects": p})
    f = flat(pdf_text(reports.park_brochure_pdf(ds, pid), tmp_path))
    assert "公开测试项目乙" in f and "内部测试项目甲" not in f
    assert "未注明/notstated" in f  # no planned area stated for this park


# ----------------------------------------------------------------------------- print maps
@pytest.mark.parametrize("paper, size", [("A4", (3508, 2480)), ("A3", (4961, 3508))])
def test_print_map_png_300_dpi(dataset, paper, size):
    code = resolve_township("裴介", dataset["townships"])
    png = reports.print_map_png(dataset, "township", code, paper=paper)
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG" and im.size == size
    assert [round(d) for d in im.info["dpi"]] == [300, 300]
    # not an empty map: many distinct colours (boundaries, fills, symbols, text)
    assert len(im.convert("RGB").resize((700, 495)).getcolors(1 << 20)) > 200


def test_print_map_of_a_park(dataset):
    png = reports.print_map_png(dataset, "park", resolve_park("裴介", dataset["parks"]))
    assert Image.open(io.BytesIO(png)).size == (3508, 2480)


# ----------------------------------------------------------------------------- CLI
def _cli(monkeypatch, args: list) -> int:
    from xxgeo import cli

    if "xxgeo.cli.report" not in cli.COMMAND_MODULES:  # until the CLI lists it
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "xxgeo.cli.report"))
    return cli.main(args)


@pytest.mark.slow
def test_cli_report_township_park_and_png(built_store_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "t.pdf"
    assert _cli(monkeypatch, ["report", "township", "庙前", "--out", str(out), "--store", str(built_store_path)]) == 0
    assert "庙前镇项目一页报告" in flat(pdf_text(out.read_bytes(), tmp_path))
    out = tmp_path / "p.pdf"
    assert _cli(monkeypatch, ["report", "park", "庙前双创基地", "--out", str(out),
                              "--store", str(built_store_path)]) == 0
    assert "庙前电子科技双创基地" in flat(pdf_text(out.read_bytes(), tmp_path))
    out = tmp_path / "m.png"
    assert _cli(monkeypatch, ["report", "township", "140828101", "--out", str(out), "--format", "png",
                              "--store", str(built_store_path)]) == 0
    assert Image.open(out).size == (3508, 2480)
    assert "已写出" in capsys.readouterr().out


@pytest.mark.parametrize("kind, name", [("township", "不存在乡"), ("park", "园区")])
def test_cli_report_unknown_name(built_store_path, tmp_path, monkeypatch, capsys, kind, name):
    out = tmp_path / "x.pdf"
    rc = _cli(monkeypatch, ["report", kind, name, "--out", str(out), "--store", str(built_store_path)])
    err = capsys.readouterr().err.strip()
    assert rc != 0 and not out.exists()
    assert err.startswith("错误：") and len(err.splitlines()) == 1 and "Traceback" not in err


# ----------------------------------------------------------------------------- fonts
@pytest.fixture
def no_fonts(monkeypatch):
    monkeypatch.setattr(fonts, "CANDIDATES", ())
    monkeypatch.setattr(fonts, "_fc_list", lambda: [])
    monkeypatch.setattr(fonts, "font_dirs", lambda *a, **k: [])
    monkeypatch.delenv("XXGEO_CJK_FONT", raising=False)
    fonts.reset_font_cache()
    yield
    fonts.reset_font_cache()


def test_missing_font_is_a_clear_error(dataset, no_fonts):
    with pytest.raises(fonts.FontMissing) as ei:
        reports.township_report_pdf(dataset, dataset["townships"]["code"].iloc[0])
    assert "fonts-wqy-zenhei" in ei.value.message and "apt-get install" in ei.value.message


def test_missing_font_in_the_cli(built_store_path, tmp_path, monkeypatch, capsys, no_fonts):
    rc = _cli(monkeypatch, ["report", "park", "裴介", "--out", str(tmp_path / "x.pdf"),
                            "--store", str(built_store_path)])
    assert rc != 0 and "fonts-wqy-zenhei" in capsys.readouterr().err


def test_cff_font_is_refused(monkeypatch):
    """A font reportlab cannot embed (CFF outlines, e.g. Noto Sans CJK) or without Chinese is not used."""
    dejavu = shutil.which("fc-match") and subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"],
                                                        capture_output=True, text=True).stdout
    assert dejavu, "fontconfig (fc-match) is missing"
    fonts.reset_font_cache()
    with pytest.raises(fonts.FontMissing) as ei:
        fonts.find_cjk_font(env=dejavu)
    assert "XXGEO_CJK_FONT" in ei.value.message
    fonts.reset_font_cache()


def test_found_font_is_truetype_with_chinese():
    f = fonts.find_cjk_font(env="")
    assert f.path.endswith((".ttf", ".ttc")) and f.family


def test_reports_package_is_streamlit_free():
    import ast
    from pathlib import Path

    pkg = Path(reports.__file__).parent
    for p in [*pkg.glob("*.py"), pkg.parent / "indicators.py", pkg.parent / "cli" / "report.py"]:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not any(str(n).startswith("streamlit") for n in names), p.name


def test_area_conversion_in_mu():
    from xxgeo.reports.park import area_lines

    p = pd.Series({"planned_area_km2": 2.0, "construction_land_km2": 1.2, "construction_land_mu": None,
                   "area_km2": 0.5})
    a = area_lines(p)
    assert a["planned"].startswith("2 km²（3,000 亩")
    assert "1,800 亩 mu（按 1 km² = 1500 亩换算" in a["construction"]
    assert a["schematic"].startswith("0.50 km²（750 亩）— 示意范围")
