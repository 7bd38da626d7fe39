"""Imports that attach locations to existing projects (issue 13 item 3), on a GeoPackage and on PostGIS:
by 项目编号 / exact name, close names listed and applied only when confirmed, the precision stated (never assumed
实测), the township derived from the point, loc_source / located_by / located_at, ``--default`` and 未分类, and
the store untouched by every refusal."""

from __future__ import annotations

import json

import pytest
from datafactory import import_file

from xxgeo.cli import main
from xxgeo.errors import ImportRefused, PrecisionNotStated
from xxgeo.importers import commit_import, prepare_import
from xxgeo.schema import LAYERS


def _point(store, name: str):
    t = store.read("townships")
    row = t[t["name"].str.startswith(name)].iloc[0]
    return row["code"], row.geometry.representative_point()


def _csv(tmp_path, rows: list, name: str = "位置.csv", header: str = "项目名称,经度,纬度") -> str:
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(",".join(str(v) for v in r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _project(store, pid: str):
    p = store.read("projects")
    return p[p["project_id"] == pid].iloc[0]


def _snapshot(store):
    p = store.read("projects")
    return len(p), p.geometry.to_wkt().tolist(), p["loc_precision"].tolist(), len(store.read("audit_log"))


def test_exact_name_attaches_location_precision_and_township(any_store, tmp_path):
    code, pt = _point(any_store, "水头")
    n = len(any_store.read("projects"))
    res = import_file(_csv(tmp_path, [["鑫点科技（项目）", pt.x, pt.y]]), "projects", any_store, user="李四",
                      precision="village")
    assert (res.inserted, res.updated) == (0, 1)
    p = _project(any_store, "XM0004")
    assert len(any_store.read("projects")) == n
    assert p.geometry.distance(pt) < 1e-7
    assert p["loc_precision"] == "village" and p["township_code"] == code
    for f, want in (("loc_source", "位置.csv"), ("located_by", "李四")):
        if f in LAYERS["projects"].field_names:
            assert p[f] == want
    last = any_store.read("audit_log")
    upd = last[last["action"] == "import-update"].iloc[-1]
    after = json.loads(upd["after"])
    assert upd["feature_id"] == "XM0004" and after["loc_precision"] == "village" and "geometry" in after


def test_precision_is_never_assumed_surveyed(any_store, tmp_path):
    _, pt = _point(any_store, "水头")
    before = _snapshot(any_store)
    with pytest.raises(PrecisionNotStated) as e:  # refused before the merge (xxgeo/io/stated.py)
        prepare_import(_csv(tmp_path, [["鑫点科技（项目）", pt.x, pt.y]]), "projects", any_store)
    assert "--precision" in e.value.message and "实测" in e.value.message and e.value.rows == 1
    assert "--precision" in e.value.english
    assert _snapshot(any_store) == before
    # a precision column in the file is as good as --precision
    path = _csv(tmp_path, [["鑫点科技（项目）", pt.x, pt.y, "村"]], header="项目名称,经度,纬度,位置精度")
    import_file(path, "projects", any_store)
    assert _project(any_store, "XM0004")["loc_precision"] == "village"


def test_close_names_are_listed_and_applied_only_when_confirmed(any_store, tmp_path, capsys):
    _, pt = _point(any_store, "水头")
    src = _csv(tmp_path, [["天嘟生物", pt.x, pt.y], ["全新的物流园", pt.x, pt.y]])
    n = len(any_store.read("projects"))
    loc = str(any_store.location) if hasattr(any_store, "location") else str(any_store.path)
    code = main(["import", src, "--layer", "projects", "--store", loc, "--precision", "village"])
    out = capsys.readouterr().out
    assert code == 0 and "待确认：第2行：“天嘟生物”与 XM0005“天嘟生物（项目）”相近" in out
    assert _project(any_store, "XM0005").geometry is None  # never matched silently
    assert len(any_store.read("projects")) == n + 1  # the row that matches nothing is a new project
    code = main(["import", src, "--layer", "projects", "--store", loc, "--precision", "village", "--accept-matches"])
    out = capsys.readouterr().out
    assert code == 0 and "已确认：第2行" in out
    p = _project(any_store, "XM0005")
    assert p.geometry is not None and p["name"] == "天嘟生物（项目）"  # the stored name stays
    assert len(any_store.read("projects")) == n + 1  # 全新的物流园 matched itself by name the second time


def test_review_decisions_attach_add_or_skip(store_copy, tmp_path):
    _, pt = _point(store_copy, "水头")
    src = _csv(tmp_path, [["天嘟生物", pt.x, pt.y], ["瑶台生物项目", pt.x, pt.y]])
    n = len(store_copy.read("projects"))
    plan = prepare_import(src, "projects", store_copy, precision="village",
                          decisions={"第2行": "attach", "第3行": "new"})
    assert [c.project_id for c in plan.candidates] == ["XM0005", "XM0006"]
    commit_import(plan, store_copy)
    assert _project(store_copy, "XM0005").geometry is not None
    assert _project(store_copy, "XM0006").geometry is None
    assert len(store_copy.read("projects")) == n + 1


def test_names_and_locations_only_import_as_uncategorised_or_with_a_default(store_copy, tmp_path, capsys):
    _, pt = _point(store_copy, "水头")
    src = _csv(tmp_path, [["甲新项目", pt.x, pt.y], ["乙新项目", pt.x, pt.y]])
    res = import_file(src, "projects", store_copy, precision="digitised" if "digitised" in
                      LAYERS["projects"].field("loc_precision").choices else "village")
    assert res.inserted == 2
    p = store_copy.read("projects")
    assert p["category"].iloc[-2:].tolist() == ["未分类", "未分类"]
    src2 = _csv(tmp_path, [["丙新项目", pt.x, pt.y]], name="b.csv")
    code = main(["import", src2, "--layer", "projects", "--store", str(store_copy.path), "--precision", "village",
                 "--default", "类别=工业类"])
    assert code == 0 and "按 --default 填为“工业”" in capsys.readouterr().out
    src3 = _csv(tmp_path, [["丁新项目", pt.x, pt.y]], name="c.csv")
    assert main(["import", src3, "--layer", "projects", "--store", str(store_copy.path), "--precision", "village",
                 "--default", "category=农业"]) == 0
    p = store_copy.read("projects").set_index("name")
    assert p.loc["丙新项目", "category"] == "工业" and p.loc["丁新项目", "category"] == "农业"


@pytest.mark.parametrize("args,zh,en", [
    (["--default", "颜色=红"], "不是本图层的字段", "is not a field of this layer"),
    (["--default", "类别"], "--default 应写成", "--default takes FIELD=VALUE"),
    (["--precision", "很准"], "位置精度“很准”不存在", "No location precision “很准”"),
])
def test_bad_options_are_one_sentence_in_both_languages(store_copy, tmp_path, capsys, args, zh, en):
    _, pt = _point(store_copy, "水头")
    src = _csv(tmp_path, [["甲新项目", pt.x, pt.y]])
    before = store_copy.path.read_bytes()
    for lang, want in (("zh", zh), ("en", en)):
        code = main(["--lang", lang, "import", src, "--layer", "projects", "--store", str(store_copy.path), *args])
        err = capsys.readouterr().err
        assert code != 0 and want in err and err.count("\n") == 1 and "Traceback" not in err
    assert store_copy.path.read_bytes() == before
    with pytest.raises(ImportRefused):
        prepare_import(src, "projects", store_copy, **({"defaults": [args[1]]} if args[0] == "--default"
                                                        else {"precision": args[1]}))


def test_english_output_of_an_attach_import(store_copy, tmp_path, capsys):
    _, pt = _point(store_copy, "水头")
    src = _csv(tmp_path, [["天嘟生物", pt.x, pt.y], ["鑫点科技（项目）", pt.x, pt.y]])
    before = store_copy.path.read_bytes()
    code = main(["--lang", "en", "import", src, "--layer", "projects", "--store", str(store_copy.path)])
    out, err = capsys.readouterr()
    assert code != 0 and store_copy.path.read_bytes() == before
    assert "never assumed surveyed" in err and err.count("\n") == 1 and "提示" not in out
    code = main(["--lang", "en", "import", src, "--layer", "projects", "--store", str(store_copy.path),
                 "--precision", "village", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and store_copy.path.read_bytes() == before
    assert "To confirm: Row 2: “天嘟生物” is close to XM0005" in out
    assert "Note: Coordinates from the columns “经度” and “纬度”." in out and "提示" not in out
    code = main(["--lang", "en", "import", src, "--layer", "projects", "--store", str(store_copy.path),
                 "--precision", "village", "--accept-matches"])
    out = capsys.readouterr().out
    assert code == 0 and "Imported into projects: 0 added, 2 updated" in out


def test_undo_takes_an_attach_import_back(store_copy, tmp_path):
    from xxgeo.edits import undo_last

    _, pt = _point(store_copy, "水头")
    import_file(_csv(tmp_path, [["鑫点科技（项目）", pt.x, pt.y]]), "projects", store_copy, precision="village")
    assert _project(store_copy, "XM0004").geometry is not None
    undo_last(store_copy, user="t")
    p = _project(store_copy, "XM0004")
    assert p.geometry is None and p["loc_precision"] == "county"


def test_project_code_attaches(store_copy, tmp_path):
    p = store_copy.read("projects")
    p.loc[p["project_id"] == "XM0007", "project_code"] = "2025-140828-44-01-000123"
    store_copy.write_layers({"projects": p})
    _, pt = _point(store_copy, "水头")
    src = _csv(tmp_path, [["2025-140828-44-01-000123", "广鑫", pt.x, pt.y]], header="项目代码,项目名称,经度,纬度")
    res = import_file(src, "projects", store_copy, precision="village")
    assert (res.inserted, res.updated) == (0, 1)
    assert _project(store_copy, "XM0007").geometry is not None


def test_precision_option_fills_the_empty_cells_of_a_precision_column(store_copy, tmp_path):
    _, pt = _point(store_copy, "水头")
    path = _csv(tmp_path, [["鑫点科技（项目）", pt.x, pt.y, "乡镇"], ["天嘟生物（项目）", pt.x, pt.y, ""]],
                header="项目名称,经度,纬度,位置精度")
    import_file(path, "projects", store_copy, precision="village")
    assert _project(store_copy, "XM0004")["loc_precision"] == "township"  # the file's own value wins
    assert _project(store_copy, "XM0005")["loc_precision"] == "village"
