"""A Shapefile named by its ``.shp`` on disk (the command line's ``import jbnt.shp``): its parts beside it.

GIS tools hand shapefiles over as a folder of ``jbnt.shp``, ``jbnt.dbf``, ``jbnt.shx``, ``jbnt.prj`` and
``jbnt.cpg``; an upload, by contrast, is one file (or parts the data view zips together). The parts are found
by the stem, whatever the case of their extensions, and copied into the reader's temporary directory: the
reader repairs truncated field names in the ``.dbf`` in place, and the user's files are never written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: the parts a reader uses, in the order it wants them
PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def siblings(path: Path) -> dict[str, Path]:
    """``{suffix: path}`` of the Shapefile parts beside ``path``; empty unless ``path`` is a ``.shp`` whose
    ``.dbf`` lies beside it (a lone ``.shp`` is refused by :func:`.sniff.sniff`, as before)."""
    if path.suffix.lower() != ".shp" or not path.is_file():
        return {}
    stem = path.stem.lower()
    found = {}
    for p in path.parent.iterdir():
        suffix = p.suffix.lower()
        if p.stem.lower() == stem and suffix in PARTS and p.is_file():
            found.setdefault(suffix, p)
    found[".shp"] = path
    return found if ".dbf" in found else {}


def copy_parts(parts: dict[str, Path], into: Path) -> dict[str, Path]:
    """The parts copied into ``into`` as ``layer.<suffix>``; ``{suffix: copy}``."""
    return {s: Path(shutil.copyfile(p, into / f"layer{s}")) for s, p in parts.items()}
