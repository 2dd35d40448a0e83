"""Fuzzing the readers: front-matter, calendar files, config values, CLI arguments and cache
contents give a result or one line of our error, never a traceback, a hang or a blow-up.

`make test` runs a few hundred cases per reader; `make fuzz` runs 10,000+ (marker ``fuzz``),
each case within 5 s, the whole run within 500 MB.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_pinplan.calendar_file import EARLIEST_YEAR, LATEST_YEAR, dumps, loads
from mkdocs_pinplan.cli import main
from mkdocs_pinplan.config import PinplanConfig, rules_from_config
from mkdocs_pinplan.errors import PinplanError
from mkdocs_pinplan.filememo import FileMemo
from mkdocs_pinplan.model import STATUSES, Rules
from mkdocs_pinplan.posts import MAX_HEADLINE, PINPLAN_KEYS, parse_front_matter, read_post
from mkdocs_pinplan.render.store import PinCache
from mkdocs_pinplan.schedule import plan

LONG = int(os.environ.get("PINPLAN_FUZZ_EXAMPLES", "0"))
EXAMPLES = LONG or 300
FUZZ = settings(
    max_examples=EXAMPLES,
    # A hang is a finding under `make fuzz`; the short run on a busy machine does not judge it.
    deadline=timedelta(seconds=5) if LONG else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
FEW = settings(FUZZ, max_examples=LONG or 100)
"""The readers added with the second hardening pass: fewer cases in the default run."""
MEMORY_LIMIT = 500 * 2**20
# The long run is opt-in: `make fuzz` selects it with `-m fuzz` and a big example count.
marks = [pytest.mark.fuzz] if LONG else []
pytestmark = marks

DOCS = Path(__file__).parent / "fixtures" / "posts"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["2026-11-20", "2026-13-45", "", "images/photo.png", "../../x", "https://x"]),
)
yaml_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers()), children, max_size=4),
    ),
    max_leaves=12,
)
pinplan_blocks = st.one_of(
    yaml_values,
    st.dictionaries(st.sampled_from([*PINPLAN_KEYS, "tittles", "pin"]), yaml_values, max_size=6),
)
metas = st.dictionaries(
    st.sampled_from(["title", "description", "date", "draft", "slug", "lang", "language", "x"]),
    yaml_values,
    max_size=6,
).flatmap(
    lambda meta: st.builds(
        lambda block, has: {**meta, "pinplan": block} if has else meta,
        pinplan_blocks,
        st.booleans(),
    )
)


@FUZZ
@given(meta=metas, is_post_path=st.booleans())
def test_post_reader_returns_a_post_or_problems_naming_the_file(
    meta: dict[str, Any], is_post_path: bool
) -> None:
    reading = read_post(
        "fuzz.md",
        meta,
        url="https://example.com/fuzz/",
        docs_dir=DOCS,
        default_title="Fuzz",
        default_slug="fuzz",
        is_post_path=is_post_path,
    )
    for problem in reading.problems:
        assert problem.file == "fuzz.md"
        assert problem.field
        assert "\n" not in str(problem)
    post = reading.post
    if post is not None:
        assert isinstance(post.title, str) and post.title
        assert all(isinstance(t, str) and t for t in post.titles)
        assert post.pins is None or 1 <= post.pins <= 20
        assert post.date is None or isinstance(post.date, date)


@FUZZ
@given(text=st.text(max_size=300))
def test_front_matter_parser_never_raises_anything_else(text: str) -> None:
    for candidate in (text, f"---\n{text}\n---\n# Page\n"):
        try:
            meta = parse_front_matter(candidate, "page.md")
        except PinplanError as exc:
            assert exc.file == "page.md" and exc.field == "front-matter"
        else:
            assert isinstance(meta, dict)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=16,
)

_GOOD_PIN = {
    "id": "p.md#1",
    "post": "p.md",
    "link": "https://example.com/p/?utm_content=pin1",
    "image": "assets/pinplan/p-1.jpg",
    "media_url": "https://example.com/assets/pinplan/p-1.jpg",
    "title": "T",
    "description": "D",
    "alt_text": "A",
    "board": "B",
    "keywords": ["k"],
    "publish_at": datetime(2026, 12, 1, 9, tzinfo=timezone.utc).isoformat(),
    "status": "scheduled",
}


@st.composite
def near_valid_calendars(draw: st.DrawFn) -> object:
    """Valid calendars with one or two fields replaced by arbitrary JSON or removed."""
    pins = [dict(_GOOD_PIN, id=f"p.md#{i}") for i in range(draw(st.integers(0, 3)))]
    data: dict[str, Any] = {
        "version": 1,
        "timezone": "Europe/Berlin",
        "start": "2026-12-01",
        "pins": pins,
    }
    for _ in range(draw(st.integers(1, 2))):
        target: dict[str, Any] = draw(st.sampled_from([data, *pins])) if pins else data
        key = draw(st.sampled_from(sorted(target)))
        if draw(st.booleans()):
            del target[key]
        else:
            target[key] = draw(json_values)
    return data


@FUZZ
@given(data=st.one_of(json_values, near_valid_calendars()))
def test_calendar_reader_returns_a_calendar_or_our_error(data: object) -> None:
    for text in (json.dumps(data), json.dumps(data)[:-1]):
        try:
            calendar = loads(text, "calendar.json")
        except PinplanError as exc:
            assert exc.file == "calendar.json"
            assert "\n" not in str(exc)
        else:
            assert calendar.version == 1
            assert len({p.id for p in calendar.pins}) == len(calendar.pins)


@pytest.fixture(scope="module", autouse=True)
def _memory_stays_bounded() -> Iterator[None]:
    yield
    # The whole process, pytest and Pillow included: nothing a reader does may blow it up.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak < MEMORY_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB"


# Front-matter as text: hostile YAML (aliases, deep nesting, tags, huge numbers, long text).
hostile_yaml = st.sampled_from(
    [
        "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
        "title: &t [*d, *d, *d, *d, *d, *d, *d, *d]\npinplan: {titles: *t, keywords: *t}",
        "title: " + "[" * 1500 + "]" * 1500,
        "pinplan: " + "{a: " * 200 + "1" + "}" * 200,
        "title: !!binary aGVsbG8=",
        "title: !!python/object/apply:os.system [echo]",
        "title: 1" + "0" * 5000,
        "pinplan: {pins: 1" + "0" * 5000 + "}",
        "date: 9999-12-31\ntitle: x",
        "date: 0001-01-01T00:00:00Z",
        "title: " + "Wort " * 2000,
        "title: '" + "<" * 10000 + "'",
        "pinplan: {link: 'https://[::1'}",
        "pinplan: {link: 'https://x.com:99999/'}",
        "pinplan: {image: /dev/zero}",
        "pinplan: {image: '../../../../etc/passwd'}",
        "title: .nan\ndescription: .inf",
        "title: 2026-11-20\npinplan: [1, 2]",
        "? [a, b]\n: c",
        "title: \x00",
    ]
)
front_matter_texts = st.one_of(
    hostile_yaml,
    st.text(max_size=200),
    st.lists(hostile_yaml, min_size=2, max_size=3).map("\n".join),
)


@FEW
@given(body=front_matter_texts, is_post_path=st.booleans())
def test_front_matter_text_gives_a_post_or_one_line_naming_the_file(
    body: str, is_post_path: bool
) -> None:
    try:
        meta = parse_front_matter(f"---\n{body}\n---\n# Page\n", "page.md")
    except PinplanError as exc:
        assert exc.file == "page.md" and "\n" not in str(exc)
        return
    # MkDocs hands its page title over as the default: whatever the YAML held.
    title = meta.get("title", "Page")
    reading = read_post(
        "page.md",
        meta,
        url="https://example.com/page/",
        docs_dir=DOCS,
        default_title=title,  # type: ignore[arg-type]
        default_slug="page",
        is_post_path=is_post_path,
    )
    for problem in reading.problems:
        assert problem.file == "page.md" and "\n" not in str(problem)
        assert len(str(problem)) < 1000
    if reading.post is not None:
        assert len(reading.post.title) <= MAX_HEADLINE


# Calendar files: hostile JSON texts beside the near-valid ones above.
hostile_calendars = st.sampled_from(
    [
        "[" * 100_000 + "]" * 100_000,
        '{"version": 1' + "0" * 5000 + "}",
        '{"version": 1e999}',
        '{"version": 1, "timezone": "UTC", "start": "9999-12-31", "pins": []}',
        '{"version": 1, "timezone": "../../etc/passwd", "start": "2026-12-01", "pins": []}',
        '{"version": 1, "timezone": "UTC", "start": "2026-12-01", "pins": ' + "[" * 5000 + "]",
        "\ufeff{}",
        "",
    ]
)


@st.composite
def extreme_pins(draw: st.DrawFn) -> str:
    """A valid calendar whose pin's time is anywhere an ISO string can name."""
    moment = draw(st.datetimes(timezones=st.timezones()))
    pin = dict(_GOOD_PIN, publish_at=moment.isoformat(), status=draw(st.sampled_from(STATUSES)))
    data = {"version": 1, "timezone": "UTC", "start": draw(st.dates()).isoformat(), "pins": [pin]}
    return json.dumps(data)


@FEW
@given(text=st.one_of(hostile_calendars, extreme_pins()))
def test_hostile_calendar_text_is_a_calendar_or_one_line(text: str) -> None:
    try:
        calendar = loads(text, "calendar.json")
    except PinplanError as exc:
        assert exc.file == "calendar.json" and "\n" not in str(exc)
        assert len(str(exc)) < 1000
        return
    for pin in calendar.pins:
        assert EARLIEST_YEAR <= pin.publish_at.year <= LATEST_YEAR
    # What the build does next with it: plan from it and write it back.
    rules = Rules(timezone="UTC")
    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    again = plan([], rules, calendar, now).calendar
    written = loads(dumps(again), "calendar.json")
    assert [p.id for p in written.pins] == [p.id for p in again.pins]


# Config values: every option with arbitrary YAML values.
CONFIG_KEYS = {
    "pins_per_post": None, "board": None, "layouts": None, "image_format": None, "quality": None,
    "cache_dir": None, "calendar": None, "workers": None, "preview": None, "posts": None,
    "brand": ["name", "logo", "colors", "font", "font_bold", "fallback_fonts"],
    "schedule": [
        "timezone", "start", "max_per_day", "min_gap", "link_gap", "windows", "warmup_days",
        "jitter", "horizon_days",
    ],
}  # fmt: skip
config_scalars = st.one_of(
    scalars,
    st.integers(),
    st.sampled_from(
        [
            "10" + "0" * 22 + "d",
            "9" * 5000 + "m",
            "99999:00-1:00",
            "08:00-11:00",
            "Etc/GMT+14",
            "../../../etc",
            "9999-12-31",
            "0001-01-01",
            "#ffffff",
            "#fff",
            "photo",
            "type",
            "jpeg",
        ]
    ),
)
config_values = st.recursive(
    config_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def plugin_configs(draw: st.DrawFn) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(sorted(CONFIG_KEYS)), max_size=4, unique=True)):
        subkeys = CONFIG_KEYS[key]
        if subkeys and draw(st.booleans()):
            names = draw(st.lists(st.sampled_from(subkeys), max_size=3, unique=True))
            options[key] = {name: draw(config_values) for name in names}
        else:
            options[key] = draw(config_values)
    return options


@FEW
@given(options=plugin_configs())
def test_config_values_validate_or_name_the_option(options: dict[str, Any]) -> None:
    cfg = PinplanConfig()
    cfg.load_dict(options)
    errors, _warnings = cfg.validate()
    for key, error in errors:
        # One line naming the option (MkDocs' own Choice quotes the value in full).
        assert key in options and "\n" not in str(error).strip()
    if not errors:
        rules = rules_from_config(cfg.schedule)
        # The planner can work with whatever the options allow.
        plan([], rules, None, datetime(2026, 11, 20, tzinfo=timezone.utc))


# CLI arguments: every verb with arbitrary option values, on a site with a calendar.
@pytest.fixture(scope="module")
def cli_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_schedule import specs_for

    from conftest import EXAMPLE_SITE

    site = tmp_path_factory.mktemp("cli") / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns("site", ".cache"))
    rules = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))
    calendar = plan(
        specs_for(["a", "b"]), rules, None, datetime(2026, 11, 20, tzinfo=timezone.utc)
    ).calendar
    (site / "pinplan" / "calendar.json").write_text(dumps(calendar), encoding="utf-8")
    # `check` draws every pin: once cold here, from the render cache in the cases (5 s each).
    CliRunner(env={"SOURCE_DATE_EPOCH": "1796083200"}).invoke(
        main, ["check", "-f", str(site / "mkdocs.yml")]
    )
    return site


cli_values = st.one_of(
    st.text(max_size=30),
    st.integers().map(str),
    st.sampled_from(
        [
            "1000000000",
            "9" * 5000,
            "-1",
            "0",
            "now",
            "9998-06-01T09:00+00:00",
            "0001-01-01",
            "+275760-09-13",
            "2026-12-01T09:17+01:00",
            "a.md#1",
            "csv",
            "ics",
            "json",
            "/dev/null",
            "out.csv",
            ".",
        ]
    ),
)
cli_calls = st.one_of(
    st.tuples(st.just("show"), st.just("--days"), cli_values),
    st.tuples(
        st.just("export"),
        st.sampled_from(["--format", "--days", "-o"]),
        cli_values,
        st.sampled_from(["--format", "--days"]),
        cli_values,
    ),
    st.tuples(st.just("mark-published"), cli_values, st.just("--at"), cli_values),
    st.tuples(st.just("check")),
    st.lists(cli_values, max_size=4).map(tuple),
)


@FEW
@given(call=cli_calls, epoch=st.sampled_from(["1796083200", "253402000000", "-5", "x", ""]))
def test_cli_arguments_give_output_or_an_error_never_a_traceback(
    cli_site: Path, call: tuple[str, ...], epoch: str
) -> None:
    calendar = cli_site / "pinplan" / "calendar.json"
    before = calendar.read_bytes()
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": epoch})
    args = [*call[:1], "-f", str(cli_site / "mkdocs.yml"), *call[1:]]
    with runner.isolated_filesystem():
        result = runner.invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        call,
        result.exception,
    )
    assert "Traceback" not in result.output
    # Whatever a verb did, the calendar is still a calendar (mark-published may have run).
    loads(calendar.read_text(encoding="utf-8"), "calendar.json")
    calendar.write_bytes(before)


# Cache contents: the memo and the pin store hold anything, of any file type.
cache_texts = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.sampled_from(["[" * 100_000, '{"schema": 3, "files": {"a": [1, 2, 3, 4, {}]}}']),
)
entry_kinds = st.sampled_from(["file", "empty", "dir", "symlink", "dangling", "fifo"])


def _make(path: Path, kind: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "file":
        path.write_text(text)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "dir":
        path.mkdir()
    elif kind == "symlink":
        path.symlink_to("/etc/hostname")
    elif kind == "dangling":
        path.symlink_to(path.parent / "nowhere")
    else:
        os.mkfifo(path)


@FEW
@given(text=cache_texts, memo_kind=entry_kinds, pins_kind=entry_kinds, entry_kind=entry_kinds)
def test_cache_contents_are_used_or_ignored_never_a_traceback(
    text: str, memo_kind: str, pins_kind: str, entry_kind: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cache"
        for memo_name in ("file-hashes.json", "image-sizes.json"):
            _make(root / memo_name, memo_kind, text)
        memo = FileMemo(root / "file-hashes.json")
        cache = PinCache(root, memo)
        key = "ab" + "0" * 62
        if pins_kind in ("file", "empty", "symlink", "dangling"):
            _make(cache.pins, pins_kind, text)  # the folder replaced by a file
        else:
            _make(cache.entry(key, "jpg"), entry_kind, text)
            _make(cache.entry(key, "json"), entry_kind, text)
        photo = Path(tmp) / "photo.jpg"
        photo.write_bytes(b"not really")
        memo.get(str(photo), os.stat(photo))
        memo.put(str(photo), os.stat(photo), "0" * 64)
        memo.save()
        # Whatever lies in the cache, a hit is only what the index vouches for.
        found = cache.lookup(key, "jpg")
        assert found is None
        # A cache that cannot be written is the pipeline's to handle (a plain OSError).
        with contextlib.suppress(OSError):
            cache.store(key, "jpg", b"\xff\xd8", ["a warning"])
            assert cache.lookup(key, "jpg") == (b"\xff\xd8", ("a warning",))
