"""The hourly publish workflow (example_site/.github/workflows/pinplan-publish.yml) does
what docs/publish.md promises: build → deploy → publish → commit, one run at a time."""

from __future__ import annotations

import shlex
from typing import Any

import click
import pytest
import yaml
from workflow_steps import find, runs, uses

from mkdocs_pinplan.cli import main as pinplan_cli
from mkdocs_pinplan.config import PinplanConfig

from conftest import EXAMPLE_SITE, ROOT

WORKFLOWS = EXAMPLE_SITE / ".github/workflows"
CREDENTIALS = (
    "PINTEREST_ACCESS_TOKEN",
    "PINTEREST_APP_ID",
    "PINTEREST_APP_SECRET",
    "PINTEREST_REFRESH_TOKEN",
)


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return load("pinplan-publish.yml")


def test_runs_hourly_one_run_at_a_time(workflow: dict[str, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))
    [cron] = [entry["cron"] for entry in triggers["schedule"]]
    minute, *rest = cron.split()
    assert minute.isdigit() and rest == ["*", "*", "*", "*"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    # The same group as the CSV workflow: should both be present, they never overlap.
    assert workflow["concurrency"]["group"] == load("pinplan.yml")["concurrency"]["group"]
    assert workflow["permissions"]["contents"] == "write"


def test_builds_then_deploys_then_publishes(workflow: dict[str, Any]) -> None:
    jobs = workflow["jobs"]
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["publish"]["needs"] == "deploy"
    build = jobs["build"]["steps"]
    built = find(build, "builds", runs("mkdocs build --strict"))
    kept = find(build, "keeps the calendar", uses("actions/upload-artifact"))
    assert built < kept
    calendar = PinplanConfig.calendar.default
    assert build[kept]["with"]["path"] == calendar
    find(jobs["deploy"]["steps"], "deploys", uses("actions/deploy-pages"))
    steps = jobs["publish"]["steps"]
    taken = find(steps, "takes the calendar", uses("actions/download-artifact"))
    assert steps[taken]["with"]["name"] == build[kept]["with"]["name"]
    assert f"{steps[taken]['with']['path']}/calendar.json" == calendar
    posted = find(steps, "publishes", runs("pinplan publish"))
    committed = find(steps, "commits the calendar", runs(f"git add {calendar}"))
    assert taken < posted < committed
    script = str(steps[committed]["run"])
    assert "git commit" in script and "git push" in script and "[skip ci]" in script
    # What went out before a failed publish must still be committed.
    assert "!cancelled()" in str(steps[committed]["if"])


def test_credentials_come_from_secrets_through_the_environment(workflow: dict[str, Any]) -> None:
    steps = workflow["jobs"]["publish"]["steps"]
    step = steps[find(steps, "publishes", runs("pinplan publish"))]
    for name in CREDENTIALS:
        assert step["env"][name] == "${{ secrets." + name + " }}"
    assert "${{" not in str(step["run"])
    words = shlex.split(str(step["run"]))
    command = pinplan_cli.get_command(click.Context(pinplan_cli), words[1])
    assert command is not None
    command.make_context(words[1], words[2:])


def test_the_docs_name_every_variable_the_uploader_reads() -> None:
    text = (ROOT / "docs" / "publish.md").read_text(encoding="utf-8")
    for name in (*CREDENTIALS, "PINTEREST_API_URL"):
        assert f"`{name}`" in text
    for scope in ("boards:read", "pins:read", "pins:write"):
        assert f"`{scope}`" in text
