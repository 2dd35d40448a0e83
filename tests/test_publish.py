"""`pinplan publish` end to end: the real CLI against a fake Pinterest on a local HTTP server.

The fake (tests/fake_pinterest.py) validates every request and every answer against
Pinterest's OpenAPI description; each test asserts it saw no violation.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner, Result
from fake_pinterest import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    REFRESH_TOKEN,
    REFRESHED_TOKEN,
    FakePinterest,
    Fault,
    openapi,
    serve,
)
from preview_dom import parse
from pytest_httpserver import HTTPServer
from test_cli import read as read_calendar
from test_cli import write as write_calendar

from mkdocs_pinplan import publish
from mkdocs_pinplan.cli import main
from mkdocs_pinplan.fs import calendar_lock
from mkdocs_pinplan.model import Calendar, CalendarPin, Rules
from mkdocs_pinplan.preview import render_preview
from mkdocs_pinplan.publish import _retry_after, spacing_hold

# openapi-core cannot check OAuth 2 schemes; the fake checks the bearer token itself.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")
BERLIN = ZoneInfo("Europe/Berlin")
FIXED_NOW = datetime(2026, 11, 18, 11, 6, 40, tzinfo=timezone.utc)
"""The runs' "now" (12:06 in Berlin) unless a test moves it."""
FIXED_EPOCH = int(FIXED_NOW.timestamp())
START = date(2026, 11, 1)
BOARDS = ["Recipes", "Travel", "Blog", "Garden", "Bloggen & Gründen", "Books", "Misc"]
MKDOCS_YML = """\
site_name: Publish test
site_url: {site}/
plugins:
  - pinplan:
      board: Blog
      schedule:
        timezone: Europe/Berlin
        start: 2026-11-01
        max_per_day: 3
        min_gap: 90m
        warmup_days: 0
"""
CREDENTIAL_VARS = (
    "PINTEREST_ACCESS_TOKEN",
    "PINTEREST_APP_ID",
    "PINTEREST_APP_SECRET",
    "PINTEREST_REFRESH_TOKEN",
    "PINTEREST_API_URL",
)


def make_pin(n: int, at: datetime, site: str, board: str = "Blog", title: str = "") -> CalendarPin:
    return CalendarPin(
        id=f"blog/posts/p{n}.md#1",
        post=f"blog/posts/p{n}.md",
        link=f"{site}/blog/p{n}/?utm_content=pin1",
        image=f"assets/pinplan/p{n}-1.jpg",
        media_url=f"{site}/assets/pinplan/p{n}-1.jpg",
        title=title or f"Pin number {n}",
        description=f"What post {n} is about.",
        alt_text=f"A pin for post {n}",
        board=board,
        keywords=("blogging",),
        publish_at=at.astimezone(BERLIN),
    )


def make_site(root: Path, site: str, pins: list[CalendarPin]) -> Path:
    """A blog with mkdocs.yml and a calendar holding ``pins`` (no build needed)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(site=site), encoding="utf-8")
    write_calendar(
        root, Calendar("Europe/Berlin", START, tuple(sorted(pins, key=lambda p: p.publish_at)))
    )
    return root


def pins_by_id(root: Path) -> dict[str, CalendarPin]:
    return {pin.id: pin for pin in read_calendar(root).pins}


def invoke(root: Path, env: dict[str, str | None], *args: str, at: int = FIXED_EPOCH) -> Result:
    """``pinplan publish`` in-process, at the instant ``at``, with only ``env``'s credentials."""
    full: dict[str, str | None] = {name: None for name in CREDENTIAL_VARS}
    full.update(env)
    full["SOURCE_DATE_EPOCH"] = str(at)
    return CliRunner().invoke(main, ["publish", "-f", str(root / "mkdocs.yml"), *args], env=full)


class Sleeps:
    """Stands in for ``time.sleep``: records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    recorder = Sleeps()
    monkeypatch.setattr(publish, "WAITS", publish.Waits(sleep=recorder, jitter=lambda: 0.5))
    monkeypatch.setattr(publish, "TIMEOUT", httpx.Timeout(0.5))
    return recorder


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    # Threaded: a request the fake stalls must not hold up the next one.
    http = HTTPServer(threaded=True)
    http.start()
    yield http
    http.clear()
    if http.is_running():
        http.stop()


class Account:
    """The fake account on the local server, its clock following the run's SOURCE_DATE_EPOCH."""

    def __init__(self, server: HTTPServer) -> None:
        openapi()  # parsed before any client clock runs: it takes seconds
        server.clear()
        self.now = FIXED_NOW
        self.site = server.url_for("/site").rstrip("/")
        self.api = server.url_for("/v5")
        self.fake = FakePinterest(lambda: self.now, BOARDS, site=self.site)
        serve(self.fake, server, stall=1.0)

    def env(self, token: str = ACCESS_TOKEN) -> dict[str, str | None]:
        return {"PINTEREST_ACCESS_TOKEN": token, "PINTEREST_API_URL": self.api}

    def run(self, root: Path, *args: str, at: datetime | None = None, **env: str) -> Result:
        self.now = (at or FIXED_NOW).replace(microsecond=0)
        settings: dict[str, str | None] = {**self.env(), **env}
        return invoke(root, settings, *args, at=int(self.now.timestamp()))


@pytest.fixture
def account(server: HTTPServer, sleeps: Sleeps) -> Iterator[Account]:
    made = Account(server)
    yield made
    assert made.fake.problems == [], "requests or answers off Pinterest's OpenAPI description"


HOUR = timedelta(hours=1)


def test_posts_the_due_pin_to_its_board_found_over_several_pages(
    tmp_path: Path, account: Account
) -> None:
    due = make_pin(1, FIXED_NOW - HOUR, account.site, board="Misc")
    later = make_pin(2, FIXED_NOW + 5 * HOUR, account.site)
    root = make_site(tmp_path, account.site, [due, later])
    result = account.run(root)
    assert result.exit_code == 0, result.output
    assert "blog/posts/p1.md#1: posted to Misc as pin 9100000" in result.stdout
    # Seven boards at two a page: four pages, and "Misc" is on the last.
    assert account.fake.log.count("boards/list") == 4
    [made] = account.fake.pins
    assert made["board_id"] == "4106"
    assert (made["title"], made["link"], made["media_url"]) == (
        due.title,
        due.link,
        due.media_url,
    )
    pins = pins_by_id(root)
    assert pins[due.id].status == "published"
    assert pins[due.id].pinterest_id == "9100000"
    assert pins[due.id].publish_at == FIXED_NOW
    assert pins[due.id].publish_at.utcoffset() == timedelta(hours=1)
    assert pins[later.id] == later


def test_after_an_outage_the_backlog_goes_out_one_pin_per_min_gap(
    tmp_path: Path, account: Account
) -> None:
    backlog = [
        make_pin(n, FIXED_NOW - timedelta(days=2, minutes=n), account.site) for n in range(5)
    ]
    root = make_site(tmp_path, account.site, backlog)
    outputs = []
    for step in range(8):  # hourly runs from 12:06 in Berlin
        result = account.run(root, at=FIXED_NOW + step * HOUR)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    times = sorted(pin["created_at"] for pin in account.fake.pins)
    assert [t - FIXED_NOW for t in times] == [0 * HOUR, 2 * HOUR, 4 * HOUR]
    assert "4 due pins wait: a pin went out at 2026-11-18 12:06; with min_gap 90m" in outputs[1]
    # The day's cap of 3 holds the rest back until the next local day.
    assert "2 due pins wait: 2026-11-18 already has 3 pins, its cap of 3" in outputs[6]
    assert [p.publish_at for p in read_calendar(root).pins if p.published] == times
    for hours in (20, 21, 22):
        assert account.run(root, at=FIXED_NOW + hours * HOUR).exit_code == 0
    assert [pin["created_at"] - FIXED_NOW for pin in account.fake.pins[3:]] == [
        20 * HOUR,
        22 * HOUR,
    ]


def test_the_days_cap_counts_pins_that_actually_went_out(tmp_path: Path, account: Account) -> None:
    morning = datetime(2026, 11, 19, 8, 0, tzinfo=BERLIN)
    root = make_site(tmp_path, account.site, [make_pin(n, morning, account.site) for n in range(5)])
    for hours in (0, 2, 4, 6, 8):
        assert account.run(root, at=morning + hours * HOUR).exit_code == 0
    assert len(account.fake.pins) == 3
    held = account.run(root, at=morning + 10 * HOUR)
    assert "2026-11-19 already has 3 pins, its cap of 3" in held.stdout
    assert held.exit_code == 0


def test_a_pin_already_on_the_board_is_recorded_not_posted_again(
    tmp_path: Path, account: Account
) -> None:
    pin = make_pin(1, FIXED_NOW - HOUR, account.site)
    root = make_site(tmp_path, account.site, [pin])
    # A run that died after Pinterest made the pin, before the calendar was committed.
    made_at = FIXED_NOW - timedelta(minutes=40)
    account.fake.pins.append(
        {
            "id": "9099999",
            "board_id": "4102",
            "link": pin.link,
            "title": pin.title,
            "description": pin.description,
            "alt_text": pin.alt_text,
            "media_url": pin.media_url,
            "created_at": made_at,
        }
    )
    result = account.run(root)
    assert result.exit_code == 0, result.output
    assert "already on Pinterest as pin 9099999; recorded, not posted again" in result.stdout
    assert len(account.fake.pins) == 1
    recorded = pins_by_id(root)[pin.id]
    assert (recorded.status, recorded.pinterest_id, recorded.publish_at) == (
        "published",
        "9099999",
        made_at,
    )


def test_an_answer_lost_after_the_pin_was_made_does_not_post_it_twice(
    tmp_path: Path, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "TIMEOUT", httpx.Timeout(0.3))
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    account.fake.faults.append(Fault("lost"))
    result = account.run(root)
    assert result.exit_code == 0, result.output
    assert account.fake.log.count("pins/create") == 1
    assert len(account.fake.pins) == 1
    pin = pins_by_id(root)["blog/posts/p1.md#1"]
    assert (pin.status, pin.pinterest_id) == ("published", account.fake.pins[0]["id"])


def test_429_waits_as_retry_after_says(tmp_path: Path, account: Account, sleeps: Sleeps) -> None:
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    account.fake.faults += [Fault("429", retry_after="7"), Fault("429", "boards/list", "3")]
    result = account.run(root)
    assert result.exit_code == 0, result.output
    assert sleeps.waits == [3.0, 7.0]
    assert len(account.fake.pins) == 1


def test_a_long_retry_after_stops_the_run_cleanly(
    tmp_path: Path, account: Account, sleeps: Sleeps
) -> None:
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    before = (root / "pinplan" / "calendar.json").read_bytes()
    account.fake.faults.append(Fault("429", retry_after="3600"))
    result = account.run(root)
    assert result.exit_code == 1
    assert "Pinterest's rate limit (429) for creating a pin, asking to wait 3600 s" in result.stderr
    assert "Traceback" not in result.output and sleeps.waits == []
    assert account.fake.pins == []
    assert (root / "pinplan" / "calendar.json").read_bytes() == before


def test_5xx_and_timeouts_are_retried_with_growing_waits_then_stop(
    tmp_path: Path, account: Account, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "TIMEOUT", httpx.Timeout(0.3))
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    account.fake.faults += [Fault("500", "boards/list"), Fault("timeout", "boards/list")]
    assert account.run(root).exit_code == 0
    assert sleeps.waits == [3.0, 6.0]  # backoff 2 s, 4 s, each with half of its jitter
    assert len(account.fake.pins) == 1

    sleeps.waits.clear()
    later = make_site(tmp_path / "again", account.site, [make_pin(2, FIXED_NOW, account.site)])
    account.fake.faults += [Fault("503", "*")] * 4
    result = account.run(later, at=FIXED_NOW + 2 * HOUR)
    assert result.exit_code == 1
    assert "Pinterest answered 503: Something went wrong on our end. 4 times" in result.stderr
    assert sleeps.waits == [3.0, 6.0, 12.0]
    assert pins_by_id(later)["blog/posts/p2.md#1"].status == "scheduled"


def test_what_was_recorded_before_a_stop_stays_recorded(
    tmp_path: Path, account: Account, sleeps: Sleeps
) -> None:
    first = make_pin(1, FIXED_NOW - 2 * HOUR, account.site)
    second = make_pin(2, FIXED_NOW - HOUR, account.site, board="Travel")
    root = make_site(tmp_path, account.site, [first, second])
    account.fake.pins.append(
        {
            "id": "9099999",
            "board_id": "4102",
            "link": first.link,
            "title": first.title,
            "description": first.description,
            "alt_text": first.alt_text,
            "media_url": first.media_url,
            "created_at": FIXED_NOW - 5 * HOUR,
        }
    )
    account.fake.faults += [Fault("503")] * 4
    result = account.run(root)
    assert result.exit_code == 1
    assert "Pinterest answered 503: Something went wrong on our end. 4 times" in result.stderr
    pins = pins_by_id(root)
    assert (pins[first.id].status, pins[first.id].pinterest_id) == ("published", "9099999")
    assert pins[second.id].status == "scheduled"
    # Before each new try the board was searched for the pin: a lost answer is not a repost.
    assert account.fake.log.count("pins/create") == 4
    assert len(account.fake.pins) == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("401", "Pinterest refused the access token (401): it is wrong, expired or revoked"),
        ("403", "the token needs the scopes boards:read, pins:read and pins:write"),
    ],
)
def test_401_and_403_stop_with_one_line_about_the_token(
    tmp_path: Path, account: Account, status: str, expected: str
) -> None:
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    account.fake.faults.append(Fault(status, "boards/list", message="Not permitted"))
    result = account.run(root)
    assert result.exit_code == 1
    [line] = [line for line in result.stderr.splitlines() if not line.startswith("pinplan publish")]
    assert expected in line
    assert account.fake.pins == []


def test_a_refused_pin_is_marked_failed_with_pinterests_message(
    tmp_path: Path, account: Account
) -> None:
    refused = make_pin(1, FIXED_NOW - 2 * HOUR, account.site, title="REFUSE me")
    fine = make_pin(2, FIXED_NOW - HOUR, account.site)
    root = make_site(tmp_path, account.site, [refused, fine])
    result = account.run(root)
    assert result.exit_code == 1
    pins = pins_by_id(root)
    assert pins[refused.id].status == "failed"
    assert pins[refused.id].error == "Spam link refused (Bearer ***)"
    # A refused pin never went out, so it does not hold the next one back.
    assert pins[fine.id].status == "published"
    assert "blog/posts/p1.md#1: Pinterest refused it: Spam link refused" in result.stderr
    again = account.run(root, at=FIXED_NOW + 3 * HOUR)
    assert again.exit_code == 0 and "nothing is due" in again.stdout


def test_an_unknown_board_is_one_line_and_the_other_pins_go_out(
    tmp_path: Path, account: Account
) -> None:
    lost = [make_pin(n, FIXED_NOW - 3 * HOUR, account.site, board="recipes") for n in (1, 2)]
    fine = make_pin(3, FIXED_NOW - HOUR, account.site)
    root = make_site(tmp_path, account.site, [*lost, fine])
    result = account.run(root)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        'pinplan: board "recipes" is not on the Pinterest account (there is "Recipes": names '
        "must match exactly); not posting blog/posts/p1.md#1, blog/posts/p2.md#1"
    )
    assert [pin["link"] for pin in account.fake.pins] == [fine.link]


def test_an_image_not_deployed_yet_is_skipped_this_run(tmp_path: Path, account: Account) -> None:
    missing = make_pin(1, FIXED_NOW - 2 * HOUR, account.site)
    fine = make_pin(2, FIXED_NOW - HOUR, account.site)
    root = make_site(tmp_path, account.site, [missing, fine])
    account.fake.missing_media.add(missing.media_url)
    result = account.run(root)
    assert result.exit_code == 1
    assert (
        f"pinplan: {missing.id}: not posted this run: {missing.media_url} answers 404, not 200"
    ) in result.stderr
    assert pins_by_id(root)[missing.id].status == "scheduled"
    assert [pin["link"] for pin in account.fake.pins] == [fine.link]


def test_a_refresh_token_is_exchanged_for_an_access_token(tmp_path: Path, account: Account) -> None:
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    result = account.run(
        root,
        PINTEREST_ACCESS_TOKEN="",
        PINTEREST_APP_ID=APP_ID,
        PINTEREST_APP_SECRET=APP_SECRET,
        PINTEREST_REFRESH_TOKEN=REFRESH_TOKEN,
    )
    assert result.exit_code == 0, result.output
    assert account.fake.log[0] == "oauth/token"
    assert len(account.fake.pins) == 1
    assert REFRESHED_TOKEN in account.fake.tokens


def test_a_second_run_does_not_start_while_one_is_posting(tmp_path: Path, account: Account) -> None:
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    calendar = root / "pinplan" / "calendar.json"
    with calendar_lock(calendar.with_name("calendar.json.publish")):
        result = account.run(root)
    assert result.exit_code == 1
    assert "another pinplan publish is running for this calendar" in result.stderr
    assert account.fake.pins == []
    assert account.run(root).exit_code == 0
    assert len(account.fake.pins) == 1
    assert sorted(p.name for p in calendar.parent.iterdir()) == ["calendar.json"]


def test_missing_credentials_are_named(tmp_path: Path, account: Account) -> None:
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW - HOUR, account.site)])
    result = account.run(root, PINTEREST_ACCESS_TOKEN="", PINTEREST_APP_ID=APP_ID)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "pinplan: PINTEREST_ACCESS_TOKEN is not set and neither is PINTEREST_APP_SECRET, "
        "PINTEREST_REFRESH_TOKEN"
    )
    assert account.fake.log == []


def test_nothing_due_needs_no_token_and_no_network(tmp_path: Path, account: Account) -> None:
    root = make_site(tmp_path, account.site, [make_pin(1, FIXED_NOW + HOUR, account.site)])
    result = account.run(root, PINTEREST_ACCESS_TOKEN="")
    assert (result.exit_code, result.stdout) == (0, "pinplan publish: nothing is due\n")
    assert account.fake.log == []


def test_dry_run_lists_what_would_go_out_without_network_writes_or_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"the dry run reached {request.url}")

    monkeypatch.setattr(publish, "TRANSPORT", httpx.MockTransport(no_network))
    site = "https://blog.example"
    pins = [make_pin(n, FIXED_NOW - n * HOUR, site) for n in (1, 2)]
    root = make_site(tmp_path, site, [*pins, make_pin(3, FIXED_NOW + HOUR, site)])
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = invoke(root, {}, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "would post blog/posts/p2.md#1 (due 2026-11-18 10:06) to Blog: Pin number 2",
        "would wait blog/posts/p1.md#1 (due 2026-11-18 11:06): a pin went out at "
        "2026-11-18 12:06; with min_gap 90m the next may go out from 2026-11-18 13:36",
    ]
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


LEAK = "LEAKCANARY-7f3a9c"
"""In every credential of the leak test: it must show up nowhere the run leaves a trace."""


def leak_cases() -> list[str]:
    return [
        "posted",
        "401",
        "403",
        "429",
        "500",
        "create-500",
        "timeout",
        "lost",
        "refused",
        "unknown-board",
        "media",
        "refresh-refused",
        "refresh-ok",
        "token-with-newline",
        "read-only-calendar",
    ]


@pytest.mark.parametrize("case", leak_cases())
def test_no_credential_appears_in_any_output_log_or_file(
    tmp_path: Path,
    account: Account,
    case: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(publish, "TIMEOUT", httpx.Timeout(0.3))
    caplog.set_level(logging.DEBUG)
    token = f"pina_{LEAK}-access"
    account.fake.tokens = {token, f"pina_{LEAK}-refreshed"}
    board = "Nowhere" if case == "unknown-board" else "Blog"
    title = "REFUSE" if case == "refused" else ""
    pin = make_pin(1, FIXED_NOW - HOUR, account.site, board=board, title=title)
    root = make_site(tmp_path / "blog", account.site, [pin])
    env: dict[str, str] = {"PINTEREST_ACCESS_TOKEN": token}
    faults = {
        "401": [Fault("401", "*")],
        "403": [Fault("403", "*", message=f"scope missing for {token}")],
        "429": [Fault("429", "*", retry_after="9999")],
        "500": [Fault("500", "*", message=f"oops {token}")] * 4,
        "create-500": [Fault("500", message=f"oops {token}")] * 4,
        "timeout": [Fault("timeout", "boards/list")] * 4,
        "lost": [Fault("lost")],
    }
    account.fake.faults += faults.get(case, [])
    if case == "media":
        account.fake.missing_media.add(pin.media_url)
    if case.startswith("refresh"):
        env = {
            "PINTEREST_ACCESS_TOKEN": "",
            "PINTEREST_APP_ID": APP_ID,
            "PINTEREST_APP_SECRET": f"{LEAK}-secret" if case == "refresh-refused" else APP_SECRET,
            "PINTEREST_REFRESH_TOKEN": f"pinr_{LEAK}-refresh",
        }
        monkeypatch.setattr("fake_pinterest.REFRESH_TOKEN", f"pinr_{LEAK}-refresh")
        monkeypatch.setattr("fake_pinterest.REFRESHED_TOKEN", f"pina_{LEAK}-refreshed")
    if case == "token-with-newline":
        env = {"PINTEREST_ACCESS_TOKEN": f"pina_{LEAK}\nmore"}
    if case == "read-only-calendar":
        os.chmod(root / "pinplan" / "calendar.json", 0o444)
    result = account.run(root, **env)

    traces = [result.stdout, result.stderr, repr(result.exception), caplog.text]
    if result.exc_info is not None:
        import traceback

        traces.append("".join(traceback.format_exception(*result.exc_info)))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    traces += [p.read_text(encoding="utf-8", errors="replace") for p in files]
    assert [t for t in traces if LEAK in t] == []
    assert result.exit_code == (0 if case in ("posted", "lost", "refresh-ok") else 1), result.output
    assert "Traceback" not in result.output


def test_the_spacing_gate_counts_only_pins_that_went_out() -> None:
    rules = Rules(timezone="Europe/Berlin", max_per_day=3, warmup_days=4)
    site = "https://blog.example"
    at = datetime(2026, 11, 3, 12, 0, tzinfo=BERLIN)  # day 2 of the ramp: cap 1 + 2*2//4 = 2
    published = [_with(make_pin(n, at - (2 + n) * HOUR, site), "published") for n in (1, 2)]
    failed = _with(make_pin(3, at - timedelta(minutes=10), site), "failed")
    calendar = Calendar("Europe/Berlin", START, (*published, failed))
    assert spacing_hold(calendar, rules, at) == (
        "2026-11-03 already has 2 pins, its cap of 2; the next may go out tomorrow"
    )
    # A failed pin 10 minutes ago never went out: it does not hold anything back.
    one = Calendar("Europe/Berlin", START, (published[0], failed))
    assert spacing_hold(one, rules, at) is None
    # One handed to Pinterest's own scheduler for later counts too (it will go out then).
    later = _with(make_pin(4, at + timedelta(minutes=30), site), "published")
    soon = Calendar("Europe/Berlin", START, (later,))
    assert "a pin went out at 2026-11-03 12:30" in (spacing_hold(soon, rules, at) or "")


def _with(pin: CalendarPin, status: str) -> CalendarPin:

    return replace(pin, status=status, error="Refused." if status == "failed" else None)


def test_retry_after_may_be_seconds_or_an_http_date() -> None:

    def answer(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert _retry_after(answer("17")) == 17.0
    assert _retry_after(answer("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0  # already past
    assert _retry_after(answer("soon")) is None
    assert _retry_after(httpx.Response(429)) is None


def test_check_and_the_preview_show_a_refused_pin_with_pinterests_message(
    tmp_path: Path,
) -> None:
    site = "https://blog.example"
    message = "Sorry! This link is blocked: it may lead to spam."
    refused = _with(make_pin(1, FIXED_NOW - HOUR, site), "failed")
    refused = replace(refused, error=message)
    root = make_site(tmp_path, site, [refused, make_pin(2, FIXED_NOW + HOUR, site)])
    env = {"SOURCE_DATE_EPOCH": str(FIXED_EPOCH)}
    check = CliRunner().invoke(main, ["check", "-f", str(root / "mkdocs.yml")], env=env)
    assert check.exit_code == 1
    assert (
        f"{refused.id}: Pinterest refused it: {message} (change the post and the next build "
        "plans it again)"
    ) in check.stdout

    page = parse(render_preview(read_calendar(root), Rules(), now=FIXED_NOW))
    [item] = [li for li in page.find_all("li", "pin") if li.attrs.get("data-status") == "failed"]
    assert item.find("span", "badge").text == "failed"
    assert item.find("p", "error").text == f"Pinterest {message}"
    assert item.attrs["data-overdue"] == "false"  # refused, not late


def test_show_does_not_call_a_refused_pin_overdue(tmp_path: Path) -> None:
    site = "https://blog.example"
    refused = _with(make_pin(1, FIXED_NOW - HOUR, site), "failed")
    late = make_pin(2, FIXED_NOW - 2 * HOUR, site)
    root = make_site(tmp_path, site, [refused, late])
    env = {"SOURCE_DATE_EPOCH": str(FIXED_EPOCH)}
    show = CliRunner().invoke(main, ["show", "-f", str(root / "mkdocs.yml")], env=env)
    assert show.exit_code == 0, show.output
    overdue = [line for line in show.stdout.splitlines() if " overdue " in line]
    assert [line.split()[-1] for line in overdue] == [late.id]
