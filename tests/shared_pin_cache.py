"""One render cache for the end-to-end builds of the preview, browser and CI-recipe tests."""

from __future__ import annotations

from pathlib import Path

import pytest


def share_pin_cache(site: Path, factory: pytest.TempPathFactory) -> None:
    """Point ``site``'s default ``cache_dir`` at a cache shared by this test session.

    Rendered pins are cached by the bytes that shape them, so sharing changes no output;
    it only spares each build of example_site from drawing the same pins again.
    """
    shared = factory.getbasetemp() / "shared-pinplan-cache"
    shared.mkdir(exist_ok=True)
    target = site / ".cache/plugin/pinplan"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(shared, target_is_directory=True)
