"""The docs in docs/ keep up with the code: every option, key, field and flag is documented.

These fail when someone adds an option, a front-matter key, a calendar field or a CLI flag
without a line in the docs, or changes a default the docs state.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c

from mkdocs_pinplan.calendar_file import PIN_FIELDS
from mkdocs_pinplan.cli import main as pinplan_cli
from mkdocs_pinplan.config import PinplanConfig
from mkdocs_pinplan.export import HEADER
from mkdocs_pinplan.model import Layout
from mkdocs_pinplan.posts import PINPLAN_KEYS

from conftest import ROOT

DOCS = ROOT / "docs"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def options(config: type[base.Config], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every option of ``config`` and its sub-configs as (dotted name, option)."""
    for name, option in config._schema:
        dotted = prefix + name
        yield dotted, option
        if isinstance(option, c.SubConfig):
            yield from options(option.config_class, dotted + ".")
        elif isinstance(option, c.ListOfItems) and isinstance(option.option_type, c.SubConfig):
            yield from options(option.option_type.config_class, dotted + ".")


def table_rows(text: str) -> dict[str, list[str]]:
    """Markdown table rows keyed by their first cell's code span: ``name`` → cells."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and cells[0].startswith("`"):
            rows[cells[0].strip("`").split("`")[0]] = cells
    return rows


def plain(value: Any) -> str:
    """A default as the docs write it, without quotes or spaces: ``[a,b]``, ``true``, ``90m``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(plain(v) for v in value) + "]"
    return str(value)


def squeeze(text: str) -> str:
    return re.sub(r"[`\"'\s]", "", text)


OPTIONS = [(name, option) for name, option in options(PinplanConfig)]


@pytest.mark.parametrize(("name", "option"), OPTIONS, ids=[name for name, _ in OPTIONS])
def test_every_option_is_documented_with_its_default(name: str, option: Any) -> None:
    rows = table_rows(read("options.md"))
    assert name in rows, f"docs/options.md has no table row for `{name}`"
    default = option.default
    if default is None or isinstance(default, dict) or isinstance(option, c.SubConfig):
        return
    assert squeeze(rows[name][1]) == squeeze(plain(default)), (
        f"docs/options.md gives `{name}` the default {rows[name][1]}, the code {default!r}"
    )


def test_every_key_of_a_layout_of_your_own_is_documented() -> None:
    text = read("options.md").split("## Layouts of your own", 1)[1]
    rows = table_rows(text)
    missing = [f.name for f in dataclasses.fields(Layout) if f.name not in rows]
    assert missing == []
    assert "base" in rows


def test_every_front_matter_key_is_documented() -> None:
    rows = table_rows(read("front-matter.md"))
    missing = [key for key in PINPLAN_KEYS if f"pinplan.{key}" not in rows]
    assert missing == []


def test_every_calendar_field_is_documented() -> None:
    rows = table_rows(read("calendar.md"))
    fields = ["version", "timezone", "start", "pins", *PIN_FIELDS]
    assert [f for f in fields if f not in rows] == []


def test_the_csv_header_is_documented_exactly() -> None:
    lines = [line.strip() for line in read("exports.md").splitlines()]
    assert ",".join(HEADER) in lines


COMMANDS = sorted(pinplan_cli.commands)


@pytest.mark.parametrize("verb", COMMANDS)
def test_every_cli_verb_and_flag_is_documented(verb: str) -> None:
    text = read("cli.md")
    assert f"## `pinplan {verb}`" in text
    section = text.split(f"## `pinplan {verb}`", 1)[1].split("\n## ", 1)[0]
    command = pinplan_cli.commands[verb]
    flags = [
        opt
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts
        if opt != "--help"
    ]
    missing = [flag for flag in flags if flag not in section and flag not in text[:600]]
    assert missing == [], f"docs/cli.md does not mention {missing} of `pinplan {verb}`"


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
    return {slug(h) for h in headings}


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_links_and_pictures_point_at_existing_files_and_headings(page: str) -> None:
    source = DOCS / page
    broken = []
    for target in LINK.findall(source.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (source.parent / file).resolve() if file else source
        if not path.exists() or (anchor and path.suffix == ".md" and anchor not in anchors(path)):
            broken.append(target)
    assert broken == []


def yaml_blocks(name: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", read(name), flags=re.S)


def plugin_options(block: str) -> dict[str, Any]:
    """The ``pinplan`` entry's options of a ``plugins:`` list in a YAML snippet."""
    data = yaml.safe_load(block)
    plugins = data["plugins"] if isinstance(data, dict) else data
    for entry in plugins:
        if isinstance(entry, dict) and "pinplan" in entry:
            return dict(entry["pinplan"] or {})
    pytest.fail("the snippet has no pinplan entry")


@pytest.mark.parametrize(
    "block",
    [yaml_blocks("options.md")[0], yaml_blocks("options.md")[1], yaml_blocks("index.md")[0]],
    ids=["options-full", "options-layouts", "index-quickstart"],
)
def test_the_configuration_examples_are_valid(block: str) -> None:
    if block.lstrip().startswith("layouts:"):
        block = "plugins:\n  - pinplan:\n" + block
    cfg = PinplanConfig()
    cfg.load_dict(plugin_options(block))
    errors, warnings = cfg.validate()
    assert errors == []
    assert warnings == []
