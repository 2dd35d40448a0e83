"""Bounds and types: hostile values give one line naming file and field (issue 17, items 9-11)."""

from __future__ import annotations

import json
import os
import tracemalloc
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_pinplan.build import build_now
from mkdocs_pinplan.calendar_file import dumps, loads, read_calendar_text
from mkdocs_pinplan.cli import main
from mkdocs_pinplan.durations import parse_duration
from mkdocs_pinplan.errors import PinplanError
from mkdocs_pinplan.filememo import FileMemo
from mkdocs_pinplan.model import Calendar
from mkdocs_pinplan.posts import MAX_HEADLINE, parse_front_matter, read_post

from conftest import Builder

DOCS = Path(__file__).parent / "fixtures" / "posts"

# 415 bytes that expand to 9**7 strings: MkDocs' YAML loader builds it from shared lists.
ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
title: *g
pinplan:
  titles: *g
"""


def read(meta: dict[str, object], default_title: object = "Post") -> list[str]:
    reading = read_post(
        "blog/posts/p.md",
        meta,
        url="https://example.com/p/",
        docs_dir=DOCS,
        default_title=default_title,  # type: ignore[arg-type]  # MkDocs passes what YAML held
        default_slug="p",
    )
    assert reading.post is None or isinstance(reading.post.title, str)
    return [str(problem) for problem in reading.problems]


@pytest.mark.parametrize(
    "title",
    [5, 3.5, date(2026, 1, 1), ["a", "b"], b"\x00\xff", {"x": 1}, 10**5000, True],
    ids=["int", "float", "date", "list", "binary", "mapping", "5000-digits", "bool"],
)
def test_a_title_that_is_not_text_is_one_line_naming_file_and_field(title: object) -> None:
    # MkDocs hands the same value over as the page title (the default) too.
    problems = read({"title": title}, default_title=title)
    assert len(problems) == 1
    assert problems[0].startswith("blog/posts/p.md: title: expected text, got ")
    assert len(problems[0]) < 200


def test_a_100000_character_title_is_clipped_with_a_word_and_fits_cheaply() -> None:
    problems = read({"title": "Wort " * 20_000, "pinplan": {"titles": ["<" * 100_000]}})
    assert problems == [
        f"blog/posts/p.md: title: longer than {MAX_HEADLINE} characters (clipped)",
        f"blog/posts/p.md: pinplan.titles[0]: longer than {MAX_HEADLINE} characters (clipped)",
    ]


def test_a_yaml_alias_bomb_is_refused_without_expanding_it() -> None:
    tracemalloc.start()
    # As MkDocs reads it (and `pinplan check`): shared lists, nothing expanded yet.
    meta = parse_front_matter(f"---\n{ALIAS_BOMB}---\n# Page\n", "bomb.md")
    problems = read(meta)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert problems == [
        "blog/posts/p.md: front-matter: more than 2000 values (YAML aliases expand in full): "
        "not read"
    ]
    assert peak < 5_000_000


def test_deep_nesting_is_one_line_not_a_recursion_error() -> None:
    with pytest.raises(PinplanError) as info:
        parse_front_matter("---\nx: " + "[" * 20_000 + "\n---\n", "deep.md")
    assert str(info.value).startswith("deep.md: front-matter: ")
    with pytest.raises(PinplanError) as calendar_info:
        loads("[" * 200_000 + "]" * 200_000, "calendar.json")
    assert str(calendar_info.value).startswith("calendar.json: ")
    nested: object = "x"
    for _ in range(50):
        nested = [nested]
    assert read({"pinplan": {"keywords": nested}})[0].startswith(
        "blog/posts/p.md: front-matter: nested deeper than"
    )


def test_a_calendar_version_of_5000_digits_or_a_start_in_9999_is_refused() -> None:
    with pytest.raises(PinplanError) as info:
        loads('{"version": 1' + "0" * 5000 + "}", "calendar.json")
    assert str(info.value).startswith("calendar.json: ")
    data = json.loads(dumps(Calendar("UTC", date(2026, 12, 1), ())))
    for field, value in (("version", 10**300), ("start", "9999-12-31")):
        with pytest.raises(PinplanError) as info:
            loads(json.dumps({**data, field: value}), "calendar.json")
        assert info.value.field == field and len(str(info.value)) < 200


@pytest.mark.parametrize(
    "epoch",
    ["253402300000", "9" * 5000, "-99999999999", "1e9"],
    ids=["9999", "5000", "neg", "float"],
)
def test_source_date_epoch_out_of_range_is_one_line(
    epoch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(ValueError) as info:
        build_now()
    assert str(info.value).startswith("SOURCE_DATE_EPOCH") and len(str(info.value)) < 200


@pytest.mark.parametrize(
    "text", ["100000000000000000000000d", "9" * 5000 + "m", "366d"], ids=["1e23d", "5000", "366d"]
)
def test_a_duration_of_10_to_the_23_days_is_refused(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert len(str(info.value)) < 200


@pytest.fixture
def cli_site(site_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(site_copy)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")
    (site_copy / "pinplan").mkdir()
    start = datetime(2026, 12, 1, tzinfo=timezone.utc)
    from test_schedule import specs_for

    from mkdocs_pinplan.model import Rules
    from mkdocs_pinplan.schedule import plan

    calendar = plan(specs_for(["a"]), Rules(timezone="Europe/Berlin"), None, start).calendar
    (site_copy / "pinplan/calendar.json").write_text(dumps(calendar))
    return site_copy


@pytest.mark.parametrize(
    "args",
    [
        ["show", "--days", "1000000000"],
        ["export", "--format", "ics", "--days", "99999999999999999999"],
        ["mark-published", "a.md#1", "--at", "9998-06-01T09:00+00:00"],
        ["mark-published", "a.md#1", "--at", "0001-01-01T00:00+14:00"],
    ],
)
def test_out_of_range_cli_arguments_are_one_line(cli_site: Path, args: list[str]) -> None:
    before = (cli_site / "pinplan/calendar.json").read_bytes()
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # Our own refusals are one line; click's usage errors end with one naming the option.
    last = result.stderr.strip().splitlines()[-1]
    assert args[-2] in last and "range" in last, result.stderr
    assert (cli_site / "pinplan/calendar.json").read_bytes() == before


def test_source_date_epoch_near_9999_is_one_line_for_the_cli(
    cli_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402000000")
    result = CliRunner().invoke(main, ["show"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "pinplan: SOURCE_DATE_EPOCH: '253402000000' lies outside the years 1970-2999 a "
        "calendar may hold"
    ]


@pytest.mark.parametrize("link", ["https://[::1", "https://example.com:99999/", "http://:80/"])
def test_a_malformed_link_is_a_problem_naming_file_and_field(link: str) -> None:
    assert read({"pinplan": {"link": link}}) == [
        f"blog/posts/p.md: pinplan.link: expected an http(s) URL, got {link!r}"
    ]


@pytest.mark.parametrize("damage", ["root is a file", "pins is a file", "memo is a folder"])
def test_cache_folders_replaced_by_files_and_files_by_folders(
    site_copy: Path, mkdocs_build: Builder, damage: str
) -> None:
    cache = site_copy / ".cache" / "plugin" / "pinplan"
    if damage == "root is a file":
        cache.parent.mkdir(parents=True)
        cache.write_text("x")
    elif damage == "pins is a file":
        cache.mkdir(parents=True)
        (cache / "pins").write_text("x")
    else:
        (cache / "files.json").mkdir(parents=True)
    result = mkdocs_build(site_copy)
    assert "Traceback" not in result.stderr
    if damage == "memo is a folder":
        assert result.returncode == 0, result.stderr  # only a memo: ignored
        return
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and ": cache_dir: cannot create it: " in errors[0], result.stderr


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_calendar_that_is_a_fifo_or_a_folder_is_one_line_not_a_hang(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "calendar.json"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    with pytest.raises(PinplanError) as info:
        read_calendar_text(path)
    assert "not a regular file" in str(info.value)
    assert FileMemo(path).get("x", os.stat(tmp_path)) is None  # a memo: ignored
