"""Every user-facing error has its English twin (issue 11 item 7).

The static check parses every module under ``xxgeo/`` and finds each construction of :class:`XxgeoError`
or one of its subclasses (``raise NotFound(...)``, ``refused = SignInRefused(...)``); each must pass
``english=``. A message assembled in a helper is checked where the helper builds the exception, so the
helpers listed in :data:`HELPERS` (which return an exception that already carries its twin) are the only
other way to raise one. The behavioural checks run the CLI with ``--lang en``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from xxgeo.cli import main
from xxgeo.schema import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent / "xxgeo"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

#: helpers that return a ready exception (with ``english=``, checked where they build it): name -> reason
HELPERS = {
    "unstated_refusal": "io.stated.unstated_refusal builds the PrecisionNotStated of an import in both languages",
    "refusal": "importers.refusal builds ImportRefused from a plan's problems with both languages",
    "no_data": "store.pgutil.no_data builds the 'no data yet' StoreError with both languages",
    "postgis_missing": "store.pgutil.postgis_missing builds the StoreError with both languages",
    "_refuse": "layerspec._refuse takes the Chinese and the English sentence as arguments",
    "over": "io.limits.over builds the ImportRefused naming a limit in both languages",
    "_unusable": "io.crs_rules._unusable builds the ImportRefused for an unusable CRS in both languages",
    "_died": "io.worker._died picks the worker's sentence (io.worker._refused) from its exit status",
    "_refused": "io.worker._refused builds the ImportRefused of a worker outcome from its (zh, en) pair",
    "store_read_only": "errors.store_read_only builds the read-only StoreError in both languages",
    "pg_read_only": "errors.pg_read_only builds the PostgreSQL read-only StoreError in both languages",
    "_bad": "dispatch_values._bad takes the Chinese and the English sentence of a refused report value",
    "_bad_file": "dispatch.sheet._bad_file builds the ImportRefused for an unreadable monthly sheet in both languages",
    "_no_keys": "dispatch.sheet._no_keys builds the ImportRefused for a sheet without key columns in both languages",
    "refuse": "basemaps.formats.refuse takes the Chinese and the English sentence of a refused basemap package",
}


def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in sorted(ROOT.rglob("*.py"))}


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of XxgeoError and every class under xxgeo/ that derives from it (to a fixed point)."""
    names = {"XxgeoError"}
    classes = [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    while True:
        more = {c.name for c in classes
                if any(isinstance(b, ast.Name) and b.id in names
                       or isinstance(b, ast.Attribute) and b.attr in names for b in c.bases)} - names
        if not more:
            return names
        names |= more


def _called(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def test_error_classes_found() -> None:
    """The scan sees the classes of xxgeo/errors.py and those defined elsewhere (FontMissing)."""
    found = _error_classes(_trees())
    import xxgeo.errors as errors
    from xxgeo.reports.fonts import FontMissing
    declared = {n for n, v in vars(errors).items() if isinstance(v, type) and issubclass(v, errors.XxgeoError)}
    assert declared | {FontMissing.__name__} <= found


def test_whitelisted_helpers_exist() -> None:
    """Each whitelisted helper is a function defined under xxgeo/ (the list cannot go stale)."""
    defined = {n.name for t in _trees().values() for n in ast.walk(t) if isinstance(n, ast.FunctionDef)}
    assert set(HELPERS) <= defined, set(HELPERS) - defined


def test_every_error_has_an_english_twin() -> None:
    """Each XxgeoError built under xxgeo/ passes ``english=``; a raise of anything else that is not a
    built-in error goes through a whitelisted helper."""
    trees = _trees()
    errs = _error_classes(trees)
    missing: list[str] = []
    for path, tree in trees.items():
        where = path.relative_to(ROOT.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) in errs:
                if not any(k.arg == "english" for k in node.keywords):
                    missing.append(f"{where}:{node.lineno}: {_called(node)}(...) without english=")
            elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = _called(node.exc)
                if name and name not in errs and name not in HELPERS and not _builtin(name):
                    missing.append(f"{where}:{node.lineno}: raise {name}(...) is neither an XxgeoError "
                                   "nor a whitelisted helper")
    assert not missing, "errors without an English twin:\n" + "\n".join(missing)


def _builtin(name: str) -> bool:
    import builtins
    v = getattr(builtins, name, None)
    return isinstance(v, type) and issubclass(v, BaseException)


def _run(capsys: pytest.CaptureFixture[str], store: Path, *argv: str) -> str:
    """Run the CLI in English against ``store``; the command must fail, and its one stderr line is returned."""
    code = main(["--lang", "en", *argv, "--store", str(store)])
    err = capsys.readouterr().err.strip()
    assert code != 0 and err.startswith("Error: "), err
    return err


def _no_cjk_but(text: str, *own: str) -> None:
    """``text`` has no Chinese character left once the user's own words ``own`` are taken out."""
    for word in own:
        text = text.replace(word, "")
    assert not CJK.search(text), text


def test_unknown_township_report_in_english(built_store_path: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``report township 火星``: an English sentence naming the input back, and the only CJK is the input."""
    err = _run(capsys, built_store_path, "report", "township", "火星", "--out", str(tmp_path / "x.pdf"))
    assert "火星" in err and "township" in err.lower()
    _no_cjk_but(err, "火星")


#: words a sentence may show in Chinese because a user must type them so: the categories and a status value
VOCABULARY = (*CATEGORIES, "在建")


@pytest.mark.parametrize("argv, own", [
    (["export", "--layer", "沙漠", "--format", "csv", "--out", "{tmp}/x.csv"], ["沙漠"]),
    (["export", "--layer", "projects", "--format", "csv", "--category", "火箭", "--out", "{tmp}/x.csv"],
     ["火箭"]),
    (["map", "--category", "火箭", "--out", "{tmp}/x.html"], ["火箭"]),
    (["import", "{tmp}/empty.csv", "--layer", "projects"], []),
    (["import", "{tmp}/empty.csv", "--layer", "audit_log"], []),
    (["import", "{tmp}/x.csv", "--layer", "projects", "--crs", "火星坐标"], ["火星坐标"]),
    (["set", "--layer", "projects", "--id", "XM0003", "高度"], ["高度"]),
    (["set", "--layer", "projects", "--id", "XM0003", "lon=111.1"], []),
    (["set", "--layer", "projects", "--id", "XM0003", "lon=111.2", "lat=35.1"], []),  # no precision given
    (["undo"], []),
])
def test_refusals_in_english(built_store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             argv: list[str], own: list[str]) -> None:
    """A few refusals the CLI meets before it changes anything, each said in English (the user's own
    words, and the vocabulary they must type in Chinese, are the only Chinese left)."""
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "x.csv").write_text("name,lon,lat\nA,111.2,35.1\n", encoding="utf-8")
    err = _run(capsys, built_store_path, *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    _no_cjk_but(err, *own, *VOCABULARY)
    for word in own:
        assert word in err


def test_a_refused_edit_and_insert_say_why_in_english(store_copy):
    """The reasons of a refused edit or new row (check_value's Chinese sentences) reach English mode in English."""
    import re

    from xxgeo.errors import ValidationFailed

    pid = str(store_copy.read("projects")["project_id"].iloc[0])
    for changes in ({"investment_wan": -3}, {"investment_wan": "很多"}, {"start_year": 1800}, {"category": "不存在"},
                    {"planned_start": "明年"}, {"name": "x\x07"}):
        with pytest.raises(ValidationFailed) as err:
            store_copy.update_feature("projects", pid, changes, user="t")
        assert err.value.english.startswith("Edit not saved: The field ") and not re.search(
            r"[\u4e00-\u9fff]{2}", err.value.english.split("“")[0]), err.value.english
    with pytest.raises(ValidationFailed) as err:
        store_copy.insert_feature("progress", {"progress_id": f"{pid}/2026-03", "project_id": pid, "month": "2026-03",
                                               "state": "draft", "year_done_wan": -1}, user="t")
    assert err.value.english == "Not added: The field year_done_wan must not be negative: -1"
