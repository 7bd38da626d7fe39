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

ROOT = Path(__file__).resolve().parent.parent / "xxgeo"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”]")

#: helpers that return a ready exception (with ``english=``, checked where they build it): name -> reason
HELPERS = {
    "refusal": "importers.refusal builds ImportRefused from a plan's problems with both languages",
    "no_data": "store.pgutil.no_data builds the 'no data yet' StoreError with both languages",
    "postgis_missing": "store.pgutil.postgis_missing builds the StoreError with both languages",
    "_refuse": "layerspec._refuse takes the Chinese and the English sentence as arguments",
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


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["--lang", "en", *argv])
    return code, capsys.readouterr().err.strip()


def _no_cjk_but(text: str, *own: str) -> None:
    for word in own:
        text = text.replace(word, "")
    assert not CJK.search(text), text


def test_unknown_township_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown township is named back in an English sentence: the user's input is the only CJK."""
    code, err = _run(capsys, "report", "township", "火星", "--out", str(tmp_path / "x.pdf"))
    assert code != 0 and "火星" in err and "township" in err.lower()
    _no_cjk_but(err, "火星")


def test_unknown_layer_export_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown layer on export is refused in English."""
    code, err = _run(capsys, "export", "沙漠", "--out", str(tmp_path / "x.csv"))
    assert code != 0 and "沙漠" in err
    _no_cjk_but(err, "沙漠")
