"""``pinplan publish``: post the due pins through Pinterest API v5 (a few httpx calls), each
exactly once, never in a burst (SPEC "Publishing", spacing rule 8). The calendar file is the
record of what went out: re-read and written under the calendar lock after every pin, so a
run that stops or is killed keeps everything it posted before. No MkDocs here.
"""

from __future__ import annotations

import base64
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httpx

from .calendar_file import read_calendar, write_calendar
from .durations import format_duration
from .errors import PinplanError
from .fs import calendar_lock
from .model import Calendar, CalendarPin, Rules
from .schedule import sort_pins

DEFAULT_API_URL = "https://api.pinterest.com/v5"
PAGE_SIZE = 250
MAX_PAGES = 1000  # more is a server repeating itself, not an account (250,000 items)
STOPS = {
    401: "Pinterest refused the access token (401): it is wrong, expired or revoked; set a "
    "fresh PINTEREST_ACCESS_TOKEN or PINTEREST_REFRESH_TOKEN",
    403: "Pinterest denied {what} (403: {message}): the token needs the scopes boards:read, "
    "pins:read and pins:write, and the board must be yours",
}
"""The 4xx answers that stop the run, by status; any other 4xx refuses one pin."""
LIST_STOPS = {**dict.fromkeys(range(400, 500), "Pinterest refused {what}: {message}"), **STOPS}
TOKEN_STOPS = dict.fromkeys(
    range(400, 500),
    "Pinterest refused the refresh token ({status}: {message}): check PINTEREST_APP_ID, "
    "PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN",
)


@dataclass(frozen=True)
class Waits:
    """How the client waits and retries; tests replace ``sleep`` so nothing sleeps for real."""

    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    attempts: int = 4  # tries of a call that times out or gets a 5xx
    backoff: float = 2.0  # seconds before the second try, doubled for each further one
    rate_limit_tries: int = 3  # 429 answers taken (each waited out) before the run stops
    retry_after_max: float = 120.0  # a longer Retry-After stops the run at once


TIMEOUT = httpx.Timeout(30.0, connect=10.0)
WAITS = Waits()
TRANSPORT: httpx.BaseTransport | None = None
"""Tests put a transport here (``httpx.MockTransport`` or a local server's); None: the network."""


class Stop(Exception):
    """The run cannot go on; the message is one line (:func:`run` redacts it when it says it)."""


class Refused(Exception):
    """Pinterest refused one pin (a 4xx other than 401, 403, 429); the message is Pinterest's."""


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret of four characters or more (longest first) as ``***``."""
    for value in sorted((value for value in secrets if len(value) >= 4), key=len, reverse=True):
        text = text.replace(value, "***")
    return text


def _body(response: httpx.Response) -> dict[str, Any] | None:
    with suppress(ValueError):
        data = response.json()
        return data if isinstance(data, dict) else None
    return None


def _message(response: httpx.Response) -> str:
    """Pinterest's error message from a response (``{code, message}``), as one line."""
    message = (_body(response) or {}).get("message")
    text = str(message).strip() if message else f"HTTP {response.status_code} with no message"
    return " ".join(text.split())[:500]


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the ``Retry-After`` header asks for (a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdecimal():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except ValueError:
        return None
    return max((moment - datetime.now(moment.tzinfo)).total_seconds(), 0.0)


@dataclass(frozen=True)
class Client:
    """Pinterest API v5 over ``http`` (base URL and token set): boards, pins, a new pin."""

    http: httpx.Client
    secrets: set[str]

    def _call(
        self,
        what: str,
        method: str,
        path: str,
        stops: Mapping[int, str] = STOPS,
        recover: Callable[[], dict[str, Any] | None] = lambda: None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The JSON object Pinterest answers. A lost answer (timeout, unreachable, 5xx) is
        tried again with exponential backoff and jitter unless ``recover`` finds it another
        way, a 429 after ``Retry-After``, within :class:`Waits`' bounds, then :class:`Stop`; a
        4xx in ``stops`` is :class:`Stop` with its message, any other :class:`Refused`."""
        failures = limited = 0
        while True:
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as exc:
                problem = f"could not be reached ({type(exc).__name__})"
            else:
                if response.status_code == 429:
                    limited += 1
                    asked = _retry_after(response)
                    delay = WAITS.backoff * 2 ** (limited - 1) if asked is None else asked
                    if limited >= WAITS.rate_limit_tries or delay > WAITS.retry_after_max:
                        told = "" if asked is None else f", asking to wait {asked:.0f} s"
                        raise Stop(
                            f"Pinterest's rate limit (429) for {what}{told}; stopping, the next "
                            "run goes on"
                        )
                    WAITS.sleep(delay)
                    continue
                if response.status_code < 500:
                    break
                problem = f"answered {response.status_code}: {_message(response)}"
            failures += 1
            if (found := recover()) is not None:
                return found
            if failures >= WAITS.attempts:
                raise Stop(
                    f"Pinterest {problem} {failures} times for {what}; stopping, the next run "
                    "goes on"
                )
            WAITS.sleep(WAITS.backoff * 2 ** (failures - 1) * (1 + WAITS.jitter()))
        status = response.status_code
        if status >= 400:
            message = _message(response)
            if status in stops:
                raise Stop(stops[status].format(what=what, status=status, message=message))
            raise Refused(redact(message, self.secrets))
        data = _body(response)
        if data is None:
            raise Stop(f"Pinterest answered {what} with something that is not JSON")
        return data

    def listing(self, what: str, path: str, key: str) -> dict[str, dict[str, Any]]:
        """A paged list's items (``bookmark``) with a text ``id``, by text ``key`` (first wins)."""
        found: dict[str, dict[str, Any]] = {}
        params: dict[str, str | int] = {"page_size": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            data = self._call(what, "GET", path, LIST_STOPS, params=params)
            items = data.get("items")
            if not isinstance(items, list):
                raise Stop(f"Pinterest answered {what} without a list of items")
            for item in items:
                name = item.get(key) if isinstance(item, dict) else None
                if isinstance(name, str) and isinstance(item.get("id"), str):
                    found.setdefault(name, item)
            bookmark = data.get("bookmark")
            if not bookmark or not isinstance(bookmark, str) or bookmark == params.get("bookmark"):
                return found
            params["bookmark"] = bookmark
        raise Stop(f"Pinterest kept paging {what} past {MAX_PAGES} pages")

    def board_pins(self, board_id: str) -> dict[str, dict[str, Any]]:
        """The pins on the board (Pinterest's objects) by link (the first pin of a link)."""
        return self.listing(f"the pins of board {board_id}", f"boards/{board_id}/pins", "link")

    def create_pin(self, pin: CalendarPin, board_id: str) -> dict[str, Any]:
        """Post ``pin`` to the board; Pinterest's pin. A POST whose answer is lost may still
        have made the pin, and Pinterest has no idempotency key: before each retry the board
        is searched for the pin's link, and a pin there is the answer (never made twice)."""
        body = {
            "board_id": board_id,
            **{key: getattr(pin, key) for key in ("title", "description", "alt_text", "link")},
            "media_source": {"source_type": "image_url", "url": pin.media_url},
        }
        made = self._call(
            "creating a pin",
            "POST",
            "pins",
            json=body,
            recover=lambda: self.board_pins(board_id).get(pin.link),
        )
        if not str(made.get("id")).isdigit():
            raise Stop("Pinterest made a pin but gave no id; the next run finds it")
        return made


def media_problem(url: str) -> str | None:
    """Why Pinterest could not fetch the image at ``url`` now (asked with no credential)."""
    try:
        with httpx.Client(timeout=TIMEOUT, transport=TRANSPORT, follow_redirects=True) as http:
            response = http.head(url)
            if response.status_code == 405:
                with http.stream("GET", url) as streamed:
                    response = streamed
    except httpx.HTTPError as exc:
        return f"{url} could not be fetched ({type(exc).__name__})"
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code != 200:
        return f"{url} answers {response.status_code}, not 200"
    if not kind.startswith("image/"):
        return f"{url} is {kind or 'of no content type'}, not an image"
    return None


@contextmanager
def connect(environ: Mapping[str, str], secrets: set[str]) -> Iterator[Client]:
    """A client for ``environ``'s API and access token (``PINTEREST_*``; a refresh token is
    traded for a fresh one each run), every credential in ``secrets``; else :class:`Stop`."""

    def get(name: str) -> str | None:
        return environ.get(f"PINTEREST_{name}", "").strip() or None

    token, secret, refresh = get("ACCESS_TOKEN"), get("APP_SECRET"), get("REFRESH_TOKEN")
    secrets.update(value for value in (token, secret, refresh) if value)
    api_url = (get("API_URL") or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise Stop(f"PINTEREST_API_URL: expected an http(s) URL, got {api_url!r}")
    for value, name in ((token, "ACCESS_TOKEN"), (refresh, "REFRESH_TOKEN")):
        # h11 quotes a header value it rejects in its error: check before it can.
        if value is not None and not (value.isascii() and value.isprintable()):
            raise Stop(f"PINTEREST_{name} holds characters no token has (spaces, line breaks?)")
    missing = [f"PINTEREST_{n}" for n in ("APP_ID", "APP_SECRET", "REFRESH_TOKEN") if not get(n)]
    if token is None and len(missing) == 3:
        raise Stop(
            "no Pinterest credentials: set PINTEREST_ACCESS_TOKEN, or PINTEREST_APP_ID, "
            "PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN (see docs/publish.md)"
        )
    if token is None and missing:
        raise Stop(f"PINTEREST_ACCESS_TOKEN is not set and neither is {', '.join(missing)}")
    headers = {"Accept": "application/json"}
    with httpx.Client(
        base_url=api_url + "/", headers=headers, timeout=TIMEOUT, transport=TRANSPORT
    ) as http:
        client = Client(http, secrets)
        if token is None:
            # The OAuth refresh_token grant, the app's id and secret as Basic credentials.
            basic = base64.b64encode(f"{get('APP_ID')}:{secret}".encode()).decode("ascii")
            secrets.add(basic)
            form = {"grant_type": "refresh_token", "refresh_token": refresh}
            headers = {"Authorization": f"Basic {basic}"}
            answer = client._call(
                "the token exchange", "POST", "oauth/token", TOKEN_STOPS, data=form, headers=headers
            )
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise Stop("the token exchange gave no access token")
            secrets.add(token)
        client.http.headers["Authorization"] = f"Bearer {token}"
        yield client


Clock = Callable[[], datetime]


class Say(Protocol):
    def __call__(self, line: str, err: bool = False) -> None: ...


def due_pins(calendar: Calendar, now: datetime) -> list[CalendarPin]:
    """The scheduled pins whose time has come, oldest first."""
    return [p for p in sort_pins(calendar.pins) if p.status == "scheduled" and p.publish_at <= now]


def spacing_hold(calendar: Calendar, rules: Rules, at: datetime) -> str | None:
    """Why no pin may go out at ``at`` under rule 8, or None: counted on the published pins'
    actual times, none closer than ``min_gap`` to ``at``, fewer than the cap on its local day."""
    tz = ZoneInfo(rules.timezone)
    out = [p.publish_at for p in calendar.pins if p.published]
    close = [t for t in out if abs(t - at) < rules.min_gap]
    if close:
        after = max(close) + rules.min_gap
        return (
            f"a pin went out at {max(close).astimezone(tz):%Y-%m-%d %H:%M}; with min_gap "
            f"{format_duration(rules.min_gap)} the next may go out from "
            f"{after.astimezone(tz):%Y-%m-%d %H:%M}"
        )
    day = at.astimezone(tz).date()
    count = sum(1 for t in out if t.astimezone(tz).date() == day)
    cap = rules.cap((day - calendar.start).days)
    if count >= cap:
        return f"{day} already has {count} pins, its cap of {cap}; the next may go out tomorrow"
    return None


def record(path: Path, pin: CalendarPin) -> Calendar:
    """Write ``pin`` into the calendar at ``path`` (by id), re-read and written under the lock;
    :class:`PinplanError` when the calendar cannot be read or written."""
    with calendar_lock(path):
        current = read_calendar(path)
        if current is None:
            raise PinplanError(str(path), None, "the calendar is gone; cannot record the pin")
        # Added back if a build dropped it meanwhile: it is on Pinterest.
        others = [p for p in current.pins if p.id != pin.id]
        updated = replace(current, pins=sort_pins([*others, pin]))
        write_calendar(path, updated)
    return updated


def _published(pin: CalendarPin, made: dict[str, Any], clock: Clock, tz: str) -> CalendarPin:
    """``pin`` published as Pinterest's pin ``made``: at its ``created_at`` (in UTC when it has
    no offset, as Pinterest sometimes writes it) or else now; local time, whole seconds."""
    try:
        at = datetime.fromisoformat(str(made.get("created_at")))
    except ValueError:
        at = clock()
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    local = at.astimezone(ZoneInfo(tz)).replace(microsecond=0)
    return replace(pin, status="published", publish_at=local, pinterest_id=str(made["id"]))


def publish(
    path: Path, rules: Rules, api: Client, clock: Clock, say: Say, outcome: dict[str, str]
) -> None:
    """Post every due pin of the calendar at ``path`` that rule 8 lets out now; ``outcome``
    gets each one's: ``posted``, ``failed``, ``held``, ``found`` (a pin with its link is on
    its board: recorded, never posted again) or ``skipped`` (not posted for another reason,
    or not reached). Each outcome is in the calendar file before the next pin is tried."""
    calendar = read_calendar(path)
    due = due_pins(calendar, clock()) if calendar is not None else []
    if calendar is None or not due:
        say("pinplan publish: nothing is due")
        return
    outcome.update(dict.fromkeys([pin.id for pin in due], "skipped"))
    boards = api.listing("the list of boards", "boards", "name")
    for board in dict.fromkeys(pin.board for pin in due if pin.board not in boards):
        ids = ", ".join(pin.id for pin in due if pin.board == board)
        near = next((name for name in boards if name.casefold() == board.casefold()), None)
        hint = f' (there is "{near}": names must match exactly)' if near else ""
        say(
            f'pinplan: board "{board}" is not on the Pinterest account{hint}; not posting {ids}',
            err=True,
        )
    used = {pin.board: boards[pin.board]["id"] for pin in due if pin.board in boards}
    there = {board: api.board_pins(board_id) for board, board_id in used.items()}
    for pin in calendar.pins:
        made = there.get(pin.board, {}).get(pin.link)
        if pin.status == "scheduled" and made is not None:
            calendar = record(path, _published(pin, made, clock, calendar.timezone))
            outcome[pin.id] = "found"
            say(f"{pin.id}: already on Pinterest as pin {made['id']}; recorded, not posted again")
    queue = [p for p in due_pins(calendar, clock()) if p.board in used]
    for index, pin in enumerate(queue):
        hold = spacing_hold(calendar, rules, clock())
        if hold is not None:
            outcome.update(dict.fromkeys([p.id for p in queue[index:]], "held"))
            say(f"pinplan publish: {len(queue) - index} due pins wait: {hold}")
            return
        problem = media_problem(pin.media_url)
        if problem is not None:
            say(f"pinplan: {pin.id}: not posted this run: {problem} (deploy first)", err=True)
            continue
        try:
            made = api.create_pin(pin, used[pin.board])
        except Refused as exc:
            calendar = record(path, replace(pin, status="failed", error=str(exc)))
            outcome[pin.id] = "failed"
            say(f"pinplan: {pin.id}: Pinterest refused it: {exc}; marked failed", err=True)
            continue
        calendar = record(path, _published(pin, made, clock, calendar.timezone))
        outcome[pin.id] = "posted"
        say(f"{pin.id}: posted to {pin.board} as pin {made['id']}")


def dry_run(calendar: Calendar, rules: Rules, now: datetime) -> list[str]:
    """What a run at ``now`` would post and what it would hold back (no network)."""
    lines: list[str] = []
    tz = ZoneInfo(calendar.timezone)
    for pin in due_pins(calendar, now):
        hold = spacing_hold(calendar, rules, now)
        due = pin.publish_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        if hold is None:
            lines.append(f"would post {pin.id} (due {due}) to {pin.board}: {pin.title}")
            posted = replace(pin, status="published", publish_at=now)
            calendar = replace(calendar, pins=(*calendar.pins, posted))
        else:
            lines.append(f"would wait {pin.id} (due {due}): {hold}")
    return lines or ["nothing is due"]


def run(path: Path, rules: Rules, environ: Mapping[str, str], now: Clock, say: Say) -> int:
    """The whole ``pinplan publish`` at ``now``: credentials, then :func:`publish`; the exit
    status (1 when a due pin was not posted, other than held by the spacing rules). Every line
    it says passes the redaction of the run's credentials."""
    secrets: set[str] = set()

    def safe(line: str, err: bool = False) -> None:
        say(redact(line, secrets), err)

    calendar = read_calendar(path)
    if calendar is None or not due_pins(calendar, now()):
        safe("pinplan publish: nothing is due")
        return 0
    outcome: dict[str, str] = {}
    stopped = False
    # One run at a time: two could both post a pin before either records it.
    alone = path.with_name(f"{path.name}.publish")
    busy = "another pinplan publish is running for this calendar"
    try:
        with connect(environ, secrets) as api, calendar_lock(alone, 2.0, busy):
            publish(path, rules, api, now, safe, outcome)
    except (Stop, PinplanError) as exc:
        safe(f"pinplan: {exc}", err=True)
        if not outcome:  # stopped before any pin was tried: no summary
            return 1
        stopped = True
    counts = Counter(outcome.values())
    status = 1 if stopped or counts["failed"] or counts["skipped"] else 0
    safe(
        f"pinplan publish: {counts['posted']} posted, {counts['found']} found already on "
        f"Pinterest, {counts['failed']} refused, {counts['skipped']} not posted, "
        f"{counts['held']} waiting for the spacing rules",
        err=bool(status),
    )
    return status
