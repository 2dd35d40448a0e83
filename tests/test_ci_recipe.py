"""The CI recipe example_site/.github/workflows/pinplan.yml does what the docs promise."""

from __future__ import annotations

import fnmatch
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from shared_pin_cache import share_pin_cache
from workflow_steps import Step, find, runs, uses

from mkdocs_pinplan.cli import main as pinplan_cli
from mkdocs_pinplan.config import PinplanConfig

from conftest import EXAMPLE_SITE, build_env

BIN = Path(sys.executable).parent
WORKFLOW = EXAMPLE_SITE / ".github/workflows/pinplan.yml"
CSV_HEADER = "Title,Media URL,Pinterest board,Thumbnail,Description,Link,Publish date,Keywords"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def all_steps(workflow: dict[str, Any]) -> list[Step]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def build_steps(workflow: dict[str, Any]) -> list[Step]:
    return list(workflow["jobs"]["build"]["steps"])


def option_default(name: str) -> Any:
    return getattr(PinplanConfig, name).default


def command_lines(workflow: dict[str, Any], program: str) -> list[list[str]]:
    lines = []
    for step in all_steps(workflow):
        for line in str(step.get("run", "")).splitlines():
            words = shlex.split(line)
            if words and words[0] == program:
                lines.append(words)
    return lines


def test_triggers_and_permissions(workflow: dict[str, Any]) -> None:
    # YAML 1.1 reads a bare `on` key as true.
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "schedule", "workflow_dispatch"} <= set(triggers)
    assert workflow["permissions"]["contents"] == "write"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_caches_the_pin_cache_before_building_with_strict(workflow: dict[str, Any]) -> None:
    steps = build_steps(workflow)
    cache = find(steps, "restores a cache", uses("actions/cache"))
    paths = str(steps[cache]["with"]["path"]).split()
    assert option_default("cache_dir") in paths
    assert ".cache/plugin/pinplan" in paths
    build = find(steps, "runs mkdocs build --strict", runs("mkdocs build --strict"))
    assert cache < build


def test_deploys_the_built_site(workflow: dict[str, Any]) -> None:
    steps = build_steps(workflow)
    build = find(steps, "builds", runs("mkdocs build --strict"))
    upload = find(steps, "uploads the site", uses("actions/upload-pages-artifact"))
    assert steps[upload]["with"]["path"] == "site"
    assert build < upload
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    find(deploy["steps"], "deploys to Pages", uses("actions/deploy-pages"))


def test_exports_the_weeks_csv_as_an_artifact(workflow: dict[str, Any]) -> None:
    steps = build_steps(workflow)
    build = find(steps, "builds", runs("mkdocs build --strict"))
    export = find(steps, "exports the CSV", runs("pinplan export --format csv -o"))
    artifact = find(steps, "uploads an artifact", uses("actions/upload-artifact"))
    assert build < export < artifact
    words = next(w for w in command_lines(workflow, "pinplan") if "csv" in w)
    csv_file = words[words.index("-o") + 1]
    patterns = str(steps[artifact]["with"]["path"]).split()
    assert any(fnmatch.fnmatch(csv_file, p) for p in patterns)
    # Over 100 pins the export writes csv_file plus -2, -3 … parts: they must be kept too.
    second_part = csv_file.replace(".csv", "-2.csv")
    assert any(fnmatch.fnmatch(second_part, p) for p in patterns)


def test_commits_the_calendar_back_after_building(workflow: dict[str, Any]) -> None:
    steps = build_steps(workflow)
    build = find(steps, "builds", runs("mkdocs build --strict"))
    commit = find(steps, "adds the calendar", runs(f"git add {option_default('calendar')}"))
    assert build < commit
    script = str(steps[commit]["run"])
    assert "git commit" in script
    assert "git push" in script
    assert option_default("calendar") == "pinplan/calendar.json"


def test_mark_published_runs_before_the_build_and_takes_ids_safely(
    workflow: dict[str, Any],
) -> None:
    steps = build_steps(workflow)
    mark = find(steps, "marks pins published", runs("pinplan mark-published"))
    build = find(steps, "builds", runs("mkdocs build --strict"))
    assert mark < build
    # Expressions pasted into a script are a shell injection: inputs go through env.
    for step in all_steps(workflow):
        assert "${{" not in str(step.get("run", "")), step.get("name")


def test_every_pinplan_command_is_accepted_by_the_cli(workflow: dict[str, Any]) -> None:
    lines = command_lines(workflow, "pinplan")
    assert {words[1] for words in lines} >= {"export", "mark-published"}
    for words in lines:
        args = [a.replace("$PUBLISHED", "blog/posts/a.md#1") for a in words[1:]]
        command = pinplan_cli.get_command(click.Context(pinplan_cli), args[0])
        assert command is not None, f"pinplan has no verb {args[0]!r}"
        # Parses the options exactly as the real run would, without running anything.
        command.make_context(args[0], args[1:])


def test_the_build_and_export_steps_work_on_the_example_blog(
    site_copy: Path, workflow: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # As the workflow's cache step would: restore earlier renders into .cache/plugin/pinplan.
    share_pin_cache(site_copy, tmp_path_factory)
    steps = build_steps(workflow)
    wanted = [runs("mkdocs build --strict"), runs("pinplan export")]
    for test in wanted:
        script = str(steps[find(steps, "runs the recipe", test)]["run"])
        result = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            cwd=site_copy,
            # The workflow calls `mkdocs` and `pinplan` from PATH, as pip installs them.
            env=build_env(PATH=f"{BIN}:{os.environ['PATH']}"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr

    artifact = steps[find(steps, "uploads an artifact", uses("actions/upload-artifact"))]
    for pattern in str(artifact["with"]["path"]).split():
        assert list(site_copy.glob(pattern)), f"the artifact path {pattern} matches no file"
    header = (site_copy / "pinterest-week.csv").read_text(encoding="utf-8").splitlines()[0]
    assert (
        header == "Title,Media URL,Pinterest board,Thumbnail,Description,Link,Publish date,Keywords"
    )
    assert (site_copy / option_default("calendar")).is_file()
