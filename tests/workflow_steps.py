"""Finding steps in a GitHub Actions workflow, for the tests of the example workflows."""

from __future__ import annotations

from typing import Any

import pytest

Step = dict[str, Any]


def find(steps: list[Step], what: str, test: Any) -> int:
    """Index of the first step satisfying ``test``; fails naming ``what`` when none does."""
    for index, step in enumerate(steps):
        if test(step):
            return index
    pytest.fail(f"the workflow has no step that {what}")


def runs(fragment: str) -> Any:
    """A test for a step whose ``run`` script contains ``fragment`` (whitespace normalised)."""
    return lambda step: fragment in " ".join(str(step.get("run", "")).split())


def uses(action: str) -> Any:
    """A test for a step that uses ``action`` at some version."""
    return lambda step: str(step.get("uses", "")).startswith(action + "@")
