"""mkdocs-pinplan: Pinterest pins and a spam-safe publishing calendar for MkDocs blogs."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

__version__ = "0.1.0"


@lru_cache(maxsize=1)
def code_version() -> str:
    """The package version and a hash of every file of it, the key part of every cache: none
    serves what another (or a locally edited) release made. Read once per process: under
    ``mkdocs serve`` an edited module is not reloaded, so the running code is what was loaded."""
    package = Path(__file__).resolve().parent
    sha = hashlib.sha256(__version__.encode() + b"\0")
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(n for n in names if not n.endswith((".pyc", ".pyo"))):
            path = Path(folder, name)
            sha.update(path.relative_to(package).as_posix().encode() + b"\0")
            sha.update(path.read_bytes() + b"\0")
    return f"{__version__}+{sha.hexdigest()[:32]}"
