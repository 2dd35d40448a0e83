"""Which code is running: the key part every cache of this package is filed under."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from . import __version__

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def code_version() -> str:
    """The package version and a hash of every file of the package, as this process found them.

    Every source file counts, not a chosen few: a cache keyed on this can never serve what
    an older (or locally edited) release made. Read once per process on purpose: under
    ``mkdocs serve`` an edited module is not reloaded, so the running code is what was loaded.
    """
    sha = hashlib.sha256(__version__.encode() + b"\0")
    for folder, subfolders, names in os.walk(_PACKAGE):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(folder, name)
            sha.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            sha.update(path.read_bytes() + b"\0")
    return f"{__version__}+{sha.hexdigest()[:32]}"
