"""``python -m xxgeo``: see :mod:`xxgeo.cli`."""

import sys

from .cli import main

sys.exit(main())
