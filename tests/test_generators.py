"""pinplan beyond MkDocs: the CLI's config file (-f, properdocs.yml, zensical.toml),
the CLI without the mkdocs package, and `pinplan build` after MkDocs, ProperDocs or Zensical."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from click.testing import CliRunner, Result
from preview_dom import parse
from shared_pin_cache import share_pin_cache

from mkdocs_pinplan.calendar_file import read_calendar
from mkdocs_pinplan.cli import main
from mkdocs_pinplan.model import Calendar

from conftest import EXAMPLE_SITE, FIXTURES, build_env


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def site(site_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(site_copy)
    return site_copy


def test_config_file_is_taken_after_the_verb(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site.parent)
    result = run("check", "-f", str(site / "mkdocs.yml"))
    assert result.exit_code == 0, result.output
    assert "pinplan check: 5 posts" in result.stderr


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


def test_zensical_toml_without_the_plugin_says_which_table_to_add(site: Path) -> None:
    (site / "mkdocs.yml").unlink()
    text = (FIXTURES / "zensical.toml").read_text(encoding="utf-8")
    (site / "zensical.toml").write_text(text.split("[project.plugins.pinplan]")[0])
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "pinplan: zensical.toml: plugins: the pinplan plugin is not listed "
        "(add a [project.plugins.pinplan] table)"
    )


def test_build_with_the_plugin_off_does_nothing(site: Path) -> None:
    config = site / "mkdocs.yml"
    text = config.read_text().replace("  - pinplan:\n", "  - pinplan:\n      enabled: false\n")
    config.write_text(text)
    result = run("build")
    assert result.exit_code == 0, result.output
    assert "plugins.pinplan.enabled is false: nothing done" in result.stderr
    assert not (site / "pinplan").exists()


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


def test_cli_in_a_venv_without_the_mkdocs_package(mkdocs_plain: Path, tmp_path: Path) -> None:
    """`make test-without-mkdocs`: pinplan installed beside ProperDocs, and no mkdocs."""
    pinplan = os.environ.get("PINPLAN_WITHOUT_MKDOCS")
    if not pinplan:
        pytest.skip("needs a venv without the mkdocs package: run `make test-without-mkdocs`")
    pinplan = str(Path(pinplan).absolute())
    python = Path(pinplan).parent / "python"
    assert subprocess.run([python, "-c", "import mkdocs"], capture_output=True).returncode == 1
    site = copy(mkdocs_plain, tmp_path / "site")
    (site / "mkdocs.yml").rename(site / "properdocs.yml")
    for verb in ("check", "build", "show"):
        result = subprocess.run(
            [pinplan, verb], cwd=site, env=build_env(), capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    assert_every_pin_links_to_a_page(site, pins=19)


BIN = Path(sys.executable).parent
SITE_URL = "https://feldnotizen.example.com/"


def tool(name: str, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``name`` (pinplan, mkdocs, zensical, properdocs) from this venv in ``site``."""
    return subprocess.run(
        [str(BIN / name), *args],
        cwd=site,
        env=build_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def zensical() -> Path:
    """The zensical command; skips the test, naming the package, when it is not installed."""
    if not (BIN / "zensical").is_file():
        pytest.skip(
            "the zensical package is not installed (make .venv/.installed installs it on "
            "Python 3.11+; Zensical needs 3.11)"
        )
    return BIN / "zensical"


def without_plugin(site: Path, config: str = "mkdocs.yml") -> str:
    """A copy of the site's config without the pinplan plugin, for building it plain."""
    data = yaml.safe_load((site / config).read_text(encoding="utf-8"))
    data["plugins"] = [p for p in data["plugins"] if not (isinstance(p, dict) and "pinplan" in p)]
    (site / "plain.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return "plain.yml"


def copy(site: Path, target: Path) -> Path:
    shutil.copytree(site, target)
    return target


GUIDE = """---
description: What to check before a pin goes out.
pinplan:
  board: Checklists
---

# A checklist for pins

Outside the blog, a pin for it all the same.
"""


def add_guide(site: Path) -> None:
    """A page outside the blog that asks for pins: its URL by MkDocs' rules (the file name has
    a space and an umlaut), its title from its first heading."""
    folder = site / "docs" / "guides"
    folder.mkdir()
    (folder / "Pin Prüfliste.md").write_text(GUIDE, encoding="utf-8")


@pytest.fixture(scope="module")
def mkdocs_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """example_site built by MkDocs without the plugin (copy it before changing it)."""
    site = tmp_path_factory.mktemp("plain") / "site_src"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns("site", ".cache", "pinplan"))
    add_guide(site)
    built = tool("mkdocs", site, "build", "--strict", "-f", without_plugin(site))
    assert built.returncode == 0, built.stderr
    return site


def page_of(site_dir: Path, url: str) -> Path:
    """The built file that serves an absolute URL of the site."""
    assert url.startswith(SITE_URL), url
    path = unquote(urlsplit(url).path).lstrip("/")
    return site_dir / (path + "index.html" if path == "" or path.endswith("/") else path)


def assert_every_pin_links_to_a_page(site: Path, pins: int = 16) -> Calendar:
    calendar = read_calendar(site / "pinplan" / "calendar.json")
    # The 7-day window holds some of the pins (every post's first); the rest are queued.
    assert calendar is not None and 5 <= len(calendar.pins) < pins
    for pin in calendar.pins:
        assert page_of(site / "site", pin.link).is_file(), pin.link
        assert (site / "site" / pin.image).is_file(), pin.image
    return calendar


def assert_preview_shows_every_pin_with_working_links(site: Path, calendar: Calendar) -> None:
    preview = site / "site" / "pinplan" / "index.html"
    page = parse(preview.read_text(encoding="utf-8"))
    shown = page.find_all("li", "pin")
    ids = [li.find("p", "id").find("code").text for li in shown]
    # The calendar's pins, then the queue's: every pin of the five posts.
    assert ids[: len(calendar.pins)] == [p.id for p in calendar.pins] and len(ids) == 16
    for li in shown:
        link = li.find("p", "link").find("a").attrs["href"]
        assert page_of(site / "site", link).is_file(), link
        image = (preview.parent / li.find("img").attrs["src"]).resolve()
        assert image.is_file(), image


def test_plugin_and_pinplan_build_make_the_same_pins_calendar_and_preview(
    site_copy: Path, mkdocs_plain: Path, tmp_path: Path
) -> None:
    add_guide(site_copy)
    with_plugin = tool("mkdocs", site_copy, "build", "--strict")
    assert with_plugin.returncode == 0, with_plugin.stderr
    after = copy(mkdocs_plain, tmp_path / "after")
    built = tool("pinplan", after, "build", "--strict")
    assert built.returncode == 0, built.stderr
    assert "19 pins for 6 posts" in built.stderr

    def outputs(site: Path) -> dict[str, bytes]:
        files = sorted((site / "site" / "assets" / "pinplan").iterdir())
        files += [site / "site" / "pinplan" / "index.html", site / "pinplan" / "calendar.json"]
        return {str(f.relative_to(site)): f.read_bytes() for f in files}

    plugin_made, command_made = outputs(site_copy), outputs(after)
    assert len(plugin_made) == 19 + 2
    assert command_made.keys() == plugin_made.keys()
    assert [k for k in plugin_made if plugin_made[k] != command_made[k]] == []


def test_pinplan_build_names_each_post_without_its_page_and_writes_nothing(
    mkdocs_plain: Path, tmp_path: Path
) -> None:
    site = copy(mkdocs_plain, tmp_path / "broken")
    (site / "site/blog/2026/11/12/slow-pinning/index.html").unlink()
    moved = site / "site/blog/2026/09/30/photo-tips/index.html"
    moved.write_text(moved.read_text().replace("/2026/09/30/photo-tips/", "/photos/"))
    result = tool("pinplan", site, "build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("pinplan: docs/blog/posts/photo-tips.md: ")
    assert f"canonical link {SITE_URL}blog/photos/" in lines[0]
    assert lines[1].startswith("pinplan: docs/blog/posts/slow-pinning.md: no page ")
    assert f"{SITE_URL}blog/2026/11/12/slow-pinning/" in lines[1]
    assert not (site / "pinplan").exists()
    assert not (site / "site" / "assets" / "pinplan").exists()
    assert not (site / "site" / "pinplan").exists()


def test_strict_build_fails_on_a_content_problem_and_writes_nothing(
    mkdocs_plain: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = copy(mkdocs_plain, tmp_path / "site")
    share_pin_cache(site, tmp_path_factory)
    post = site / "docs" / "blog" / "posts" / "slow-pinning.md"
    post.write_text(post.read_text().replace("  pins: 3\n", "  pins: many\n"))
    problem = "docs/blog/posts/slow-pinning.md: pinplan.pins: expected a whole number, got 'many'"
    strict = tool("pinplan", site, "build", "--strict")
    assert strict.returncode == 1
    assert f"pinplan: warning: {problem}" in strict.stderr.splitlines()
    assert "strict mode: nothing written" in strict.stderr
    assert not (site / "pinplan").exists()
    assert not (site / "site" / "pinplan").exists()
    lenient = tool("pinplan", site, "build")
    assert lenient.returncode == 0, lenient.stderr
    assert f"pinplan: warning: {problem}" in lenient.stderr.splitlines()
    assert_every_pin_links_to_a_page(site, pins=19)


def url_variant(site: Path) -> None:
    """example_site with the blog's other URL rules: categories and slugified titles, a
    slug separator of its own, .html pages, and a post dated in the future."""
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "  - blog\n",
        '  - blog:\n      post_url_format: "{categories}/{slug}"\n'
        '      post_slugify_separator: "_"\n'
        "      draft_if_future_date: true\n",
    )
    config.write_text(text + "use_directory_urls: false\n", encoding="utf-8")
    # Left out of the built site as a draft until its date: no page, so no pins either.
    (site / "docs" / "blog" / "posts" / "later.md").write_text(
        "---\ndate: 2099-01-01\ncategories: [Pinterest]\n---\n\n# Not yet\n",
        encoding="utf-8",
    )
    for name in ("ueberschriften.md", "slow-pinning.md"):
        post = site / "docs" / "blog" / "posts" / name
        text = post.read_text(encoding="utf-8")
        post.write_text(re.sub(r"(?m)^slug: .*\n", "", text, count=1), encoding="utf-8")


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_pinplan_build_follows_the_blogs_url_rules(
    generator: str, site_copy: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    share_pin_cache(site_copy, tmp_path_factory)
    url_variant(site_copy)
    add_guide(site_copy)
    if generator == "zensical":
        zensical()
        built = tool("zensical", site_copy, "build", "-f", without_plugin(site_copy))
    else:
        built = tool("mkdocs", site_copy, "build", "--strict", "-f", without_plugin(site_copy))
    assert built.returncode == 0, built.stderr
    result = tool("pinplan", site_copy, "build", "--strict")
    assert result.returncode == 0, result.stderr
    calendar = assert_every_pin_links_to_a_page(site_copy, pins=19)
    links = {pin.link.split("?")[0] for pin in calendar.pins}
    assert f"{SITE_URL}guides/Pin%20Pr%C3%BCfliste.html" in links
    assert "A checklist for pins" in {pin.title for pin in calendar.pins}
    # Titles slugified by the blog's rules (umlaut kept, "_" between words, "-" kept).
    blog = f"{SITE_URL}blog"
    assert f"{blog}/schreiben/%C3%BCberschriften_die_auf_pinterest_funktionieren.html" in links
    assert f"{blog}/pinterest/slow_pinning_a_week-ahead_plan_for_a_new_account.html" in links


@pytest.mark.parametrize("config", ["mkdocs.yml", "zensical.toml"])
def test_zensical_build_then_pinplan_build(
    config: str, site_copy: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    zensical()
    share_pin_cache(site_copy, tmp_path_factory)
    if config == "zensical.toml":
        (site_copy / "mkdocs.yml").unlink()
        shutil.copy(FIXTURES / "zensical.toml", site_copy / config)
    built = tool("zensical", site_copy, "build")
    assert built.returncode == 0, built.stderr
    result = tool("pinplan", site_copy, "build", "--strict")
    assert result.returncode == 0, result.stderr
    calendar = assert_every_pin_links_to_a_page(site_copy)
    checked = tool("pinplan", site_copy, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"5 posts, {len(calendar.pins)} pins on the calendar, no problems" in checked.stderr
    assert_preview_shows_every_pin_with_working_links(site_copy, calendar)


def test_properdocs_builds_example_site_with_the_plugin(
    site_copy: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if not (BIN / "properdocs").is_file():
        pytest.skip("the properdocs package is not installed (make .venv/.installed installs it)")
    share_pin_cache(site_copy, tmp_path_factory)
    (site_copy / "mkdocs.yml").rename(site_copy / "properdocs.yml")
    built = tool("properdocs", site_copy, "build", "--strict")
    assert built.returncode == 0, built.stderr
    assert "16 pins for 5 posts" in built.stderr
    calendar = assert_every_pin_links_to_a_page(site_copy)
    assert_preview_shows_every_pin_with_working_links(site_copy, calendar)
    checked = tool("pinplan", site_copy, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
