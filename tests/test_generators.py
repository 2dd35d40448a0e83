"""pinplan beyond MkDocs: the CLI's config file (-f anywhere, properdocs.yml, zensical.toml),
the CLI without the mkdocs package, and `pinplan build` after MkDocs, ProperDocs or Zensical."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mkdocs_pinplan.cli import main

from conftest import build_env


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def site(site_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(site_copy)
    return site_copy


def test_config_file_is_taken_before_or_after_the_verb(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site.parent)
    config = str(site / "mkdocs.yml")
    before, after = run("-f", config, "check"), run("check", "-f", config)
    assert before.exit_code == after.exit_code == 0, before.output + after.output
    assert "pinplan check: 5 posts" in before.stderr
    assert before.output == after.output
    # The verb's own -f wins over the one before it.
    both = run("-f", "nope.yml", "check", "-f", config)
    assert both.exit_code == 0, both.output


def test_properdocs_yml_is_found_without_f(site: Path) -> None:
    (site / "mkdocs.yml").rename(site / "properdocs.yml")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "pinplan check: 5 posts" in result.stderr


def test_no_config_file_here_is_one_line_saying_where_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("show")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "mkdocs.yml" in lines[0]
    assert "zensical.toml" in lines[0]
    assert "-f" in lines[0]


# Runs the CLI where `import mkdocs` fails as it does when the package is not installed.
WITHOUT_MKDOCS = """
import sys
sys.modules["mkdocs"] = None
from mkdocs_pinplan.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    real = [m for m, v in sys.modules.items() if "site-packages/mkdocs/" in str(
        getattr(v, "__file__", ""))]
    print("real mkdocs modules:", real, file=sys.stderr)
"""


def test_cli_runs_with_properdocs_and_without_the_mkdocs_package(site: Path) -> None:
    pytest.importorskip("properdocs", reason="needs the properdocs package")
    (site / "mkdocs.yml").rename(site / "properdocs.yml")
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_MKDOCS, "check"],
        cwd=site,
        env=build_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "pinplan check: 5 posts" in result.stderr
    assert "real mkdocs modules: []" in result.stderr
