"""Village points (issue 13 item 6): importing village locations moves the projects known to one village (and
located township-or-coarser) to the village point with precision village, audited, in the import's transaction;
replacing the village layer without that village takes them back to their township's schematic point."""

from __future__ import annotations

import json

from datafactory import import_file

from xxgeo.cli import main
from xxgeo.names import short_village


def _case(store):
    """A project known to one village (township precision) and that village's row."""
    p, v = store.read("projects"), store.read("villages")
    for _, r in p[p["village"].notna() & (p["loc_precision"] == "township")].iterrows():
        if ";" in r["village"]:
            continue
        hit = v[(v["township_code"] == r["township_code"]) & (v["name"].map(short_village) == r["village"])]
        if len(hit):
            return r, hit.iloc[0]
    raise AssertionError("no single-village project in the default store")


def _villages_csv(tmp_path, rows, name="村庄位置.csv"):
    path = tmp_path / name
    path.write_text("统计用区划代码,名称,乡镇代码,经度,纬度\n" + "".join(
        f"{c},{n},{t},{x},{y}\n" for c, n, t, x, y in rows), encoding="utf-8")
    return path


def test_projects_move_to_village_points_and_back(any_store, tmp_path):
    proj, vil = _case(any_store)
    t = any_store.read("townships")
    cell = t[t["code"] == vil["township_code"]].geometry.iloc[0]
    pt = cell.representative_point()
    res = import_file(_villages_csv(tmp_path, [(vil["code"], vil["name"], vil["township_code"], pt.x, pt.y)]),
                      "villages", any_store, precision="surveyed", user="王五")
    assert res.updated == 1 and any("移到村的位置" in n for n in res.notes)
    p = any_store.read("projects").set_index("project_id").loc[proj["project_id"]]
    assert p["loc_precision"] == "village" and p.geometry.distance(pt) < 1e-7
    log = any_store.read("audit_log")
    row = log[(log["feature_id"] == proj["project_id"]) & (log["action"] == "import-update")].iloc[-1]
    assert json.loads(row["after"])["loc_precision"] == "village" and row["user"] == "王五"
    # a project located more precisely stays where it is
    others = any_store.read("projects")
    fine = others[others["loc_precision"] == "surveyed"]
    # replace the village layer with one that lacks the village: the project goes back to its township
    other = any_store.read("villages")
    keep = other[other["code"] != vil["code"]].iloc[0]
    res = import_file(_villages_csv(tmp_path, [(keep["code"], keep["name"], keep["township_code"], pt.x, pt.y)],
                                    name="新村庄.csv"), "villages", any_store, precision="surveyed", replace=True)
    assert any("回到所在乡镇的示意点" in n for n in res.notes)
    p = any_store.read("projects").set_index("project_id").loc[proj["project_id"]]
    assert p["loc_precision"] == "township" and cell.contains(p.geometry)
    after = any_store.read("projects")
    assert after[after["loc_precision"] == "surveyed"].geometry.to_wkt().tolist() == fine.geometry.to_wkt().tolist()


def test_village_import_in_english_and_refusal_keeps_store(store_copy, tmp_path, capsys):
    proj, vil = _case(store_copy)
    t = store_copy.read("townships")
    pt = t[t["code"] == vil["township_code"]].geometry.iloc[0].representative_point()
    src = _villages_csv(tmp_path, [(vil["code"], vil["name"], vil["township_code"], pt.x, pt.y)])
    before = store_copy.path.read_bytes()
    code = main(["--lang", "en", "import", str(src), "--layer", "villages", "--store", str(store_copy.path)])
    assert code != 0 and "--precision" in capsys.readouterr().err and store_copy.path.read_bytes() == before
    code = main(["--lang", "en", "import", str(src), "--layer", "villages", "--store", str(store_copy.path),
                 "--precision", "surveyed"])
    assert code == 0 and "moved to the village point (precision: village)" in capsys.readouterr().out
