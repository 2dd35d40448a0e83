"""A small client for the few Pinterest API v5 calls the uploader makes (no SDK).

Every failure comes out as :class:`Stop` (the run cannot go on) or :class:`Refused`
(Pinterest turned one pin down), with a one-line message passed through :class:`Secrets`.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .model import CalendarPin

DEFAULT_API_URL = "https://api.pinterest.com/v5"
SCOPES = "boards:read, pins:read and pins:write"
PAGE_SIZE = 250
MAX_PAGES = 1000
"""More pages than this means a server repeating itself, not an account (250,000 items)."""


@dataclass(frozen=True)
class Waits:
    """How the client waits and retries; tests replace ``sleep`` so nothing sleeps for real."""

    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    attempts: int = 4
    """Tries of one call when it times out or Pinterest answers 5xx."""
    backoff: float = 2.0
    """Seconds before the second try; doubled for each further one, plus up to 100 % jitter."""
    rate_limit_tries: int = 3
    """429 answers taken (each waited out) before the run stops."""
    retry_after_max: float = 120.0
    """Longest ``Retry-After`` honoured; a longer one stops the run at once."""


TIMEOUT = httpx.Timeout(30.0, connect=10.0)
WAITS = Waits()
TRANSPORT: httpx.BaseTransport | None = None
"""Tests put a transport here (``httpx.MockTransport`` or a local server's); None: the network."""


class Stop(Exception):
    """The run cannot go on; the message is one line, free of credentials."""


class Refused(Exception):
    """Pinterest refused one pin (a 4xx other than 401, 403, 429); the message is Pinterest's."""


class Secrets:
    """The credential values of a run, and :meth:`redact` to keep them out of any text."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str | None) -> None:
        if value and len(value.strip()) >= 4:
            self._values.update((value, value.strip()))

    def redact(self, text: str) -> str:
        """``text`` with every secret (longest first) replaced by ``***``."""
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, "***")
        return text


@dataclass(frozen=True)
class RemotePin:
    """A pin as Pinterest lists it."""

    id: str
    link: str | None
    created_at: datetime | None


class _Found(Exception):
    def __init__(self, pin: RemotePin) -> None:
        self.pin = pin


def _body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


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
    except (TypeError, ValueError):
        return None
    return max((moment - datetime.now(moment.tzinfo)).total_seconds(), 0.0)


class Client:
    """Pinterest API v5 with a bearer token: boards, a board's pins, creating a pin.

    Calls are retried on timeouts and 5xx with exponential backoff and jitter, and wait out
    429 as ``Retry-After`` says, within :class:`Waits`' bounds; then :class:`Stop`.
    """

    def __init__(self, base_url: str, token: str, secrets: Secrets) -> None:
        self.secrets = secrets
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
            transport=TRANSPORT,
        )

    def close(self) -> None:
        self._http.close()

    def _stop(self, text: str) -> Stop:
        return Stop(self.secrets.redact(text))

    def _send(
        self,
        what: str,
        method: str,
        path: str,
        before_retry: Callable[[], None] = lambda: None,
        **kwargs: Any,
    ) -> httpx.Response:
        """The answer (2xx-4xx but 429) to a request, tried again by the retry rules.

        ``before_retry`` runs after a lost answer (timeout, unreachable, 5xx), before the
        next try.
        """
        waits = WAITS
        failures = limited = 0
        while True:
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as exc:
                problem = f"could not be reached ({type(exc).__name__})"
            else:
                if response.status_code == 429:
                    limited += 1
                    waits.sleep(self._rate_limit_wait(what, response, limited))
                    continue
                if response.status_code < 500:
                    return response
                problem = f"answered {response.status_code}: {_message(response)}"
            failures += 1
            before_retry()
            if failures >= waits.attempts:
                raise self._stop(
                    f"Pinterest {problem} {failures} times for {what}; stopping, the next run "
                    "goes on"
                )
            waits.sleep(waits.backoff * 2 ** (failures - 1) * (1 + waits.jitter()))

    def _rate_limit_wait(self, what: str, response: httpx.Response, limited: int) -> float:
        """Seconds to wait after the ``limited``-th 429, or :class:`Stop` when it is too long."""
        asked = _retry_after(response)
        delay = asked if asked is not None else WAITS.backoff * 2 ** (limited - 1)
        if limited >= WAITS.rate_limit_tries or delay > WAITS.retry_after_max:
            raise self._stop(
                f"Pinterest's rate limit (429) for {what}"
                + (f", asking to wait {asked:.0f} s" if asked is not None else "")
                + "; stopping, the next run goes on"
            )
        return delay

    def _json(self, what: str, response: httpx.Response) -> dict[str, Any]:
        """The JSON object of a successful answer; 401/403 stop the run; other 4xx are
        :class:`Refused`."""
        status = response.status_code
        if status == 401:
            raise self._stop(
                "Pinterest refused the access token (401): it is wrong, expired or revoked; "
                "set a fresh PINTEREST_ACCESS_TOKEN or PINTEREST_REFRESH_TOKEN"
            )
        if status == 403:
            raise self._stop(
                f"Pinterest denied {what} (403: {_message(response)}): the token needs the "
                f"scopes {SCOPES}, and the board must be yours"
            )
        if status >= 400:
            raise Refused(self.secrets.redact(_message(response)))
        data = _body(response)
        if data is None:
            raise self._stop(f"Pinterest answered {what} with something that is not JSON")
        return data

    def _pages(self, what: str, path: str) -> Iterator[dict[str, Any]]:
        """Every item of a paged list (``bookmark``), page by page."""
        params: dict[str, str | int] = {"page_size": PAGE_SIZE}
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            try:
                data = self._json(what, self._send(what, "GET", path, params=params))
            except Refused as exc:
                raise self._stop(f"Pinterest refused {what}: {exc}") from None
            items = data.get("items")
            if not isinstance(items, list):
                raise self._stop(f"Pinterest answered {what} without a list of items")
            yield from (item for item in items if isinstance(item, dict))
            bookmark = data.get("bookmark")
            if not bookmark or not isinstance(bookmark, str) or bookmark in seen:
                return
            seen.add(bookmark)
            params["bookmark"] = bookmark
        raise self._stop(f"Pinterest kept paging {what} past {MAX_PAGES} pages")

    def boards(self) -> dict[str, str]:
        """The account's boards: name → id (the first board of a name, if names repeat)."""
        found: dict[str, str] = {}
        for item in self._pages("the list of boards", "boards"):
            name, board_id = item.get("name"), item.get("id")
            if isinstance(name, str) and isinstance(board_id, str):
                found.setdefault(name, board_id)
        return found

    def board_pins(self, board_id: str) -> list[RemotePin]:
        """Every pin on the board."""
        what = f"the pins of board {board_id}"
        return [_remote_pin(item) for item in self._pages(what, f"boards/{board_id}/pins")]

    def create_pin(self, pin: CalendarPin, board_id: str) -> tuple[RemotePin, bool]:
        """Post ``pin``; return Pinterest's pin and whether it was found already there.

        A POST whose answer is lost (timeout, 5xx) may still have made the pin, and Pinterest
        has no idempotency key: before each retry the board is searched for the pin's link,
        so the pin is never made twice. (A 429 is turned away before anything is made.)
        """

        def look_on_board() -> None:
            for there in self.board_pins(board_id):
                if there.link == pin.link:
                    raise _Found(there)

        body = {
            "board_id": board_id,
            "title": pin.title,
            "description": pin.description,
            "alt_text": pin.alt_text,
            "link": pin.link,
            "media_source": {"source_type": "image_url", "url": pin.media_url},
        }
        what = "creating a pin"
        try:
            response = self._send(what, "POST", "pins", look_on_board, json=body)
        except _Found as found:
            return found.pin, True
        made = _remote_pin(self._json(what, response))
        if not made.id.isdigit():
            raise self._stop("Pinterest made a pin but gave no id; the next run finds it")
        return made, False

    def media_problem(self, url: str) -> str | None:
        """Why Pinterest could not fetch the image at ``url`` now, or None when it answers
        200 with an image. Asked without any credential (the image is public)."""
        try:
            with httpx.Client(timeout=TIMEOUT, transport=TRANSPORT, follow_redirects=True) as http:
                response = http.head(url)
                if response.status_code == 405:
                    with http.stream("GET", url) as streamed:
                        response = streamed
        except httpx.HTTPError as exc:
            return self.secrets.redact(f"{url} could not be fetched ({type(exc).__name__})")
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code != 200:
            return f"{url} answers {response.status_code}, not 200"
        if not kind.startswith("image/"):
            return f"{url} is {kind or 'of no content type'}, not an image"
        return None


def _remote_pin(item: dict[str, Any]) -> RemotePin:
    link, created = item.get("link"), item.get("created_at")
    moment = None
    if isinstance(created, str):
        with suppress(ValueError):
            moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    if moment is not None and moment.tzinfo is None:
        # Pinterest writes its times in UTC, sometimes without the offset.
        moment = moment.replace(tzinfo=timezone.utc)
    return RemotePin(str(item.get("id", "")), link if isinstance(link, str) else None, moment)


def connect(environ: Mapping[str, str], secrets: Secrets) -> Client:
    """A client for the API and access token in ``environ`` (``PINTEREST_*``); a refresh
    token is exchanged for a fresh access token each run. Every credential value joins
    ``secrets``. Raises :class:`Stop` naming what is missing or refused."""

    def get(name: str) -> str | None:
        return environ.get(name, "").strip() or None

    token, app_id = get("PINTEREST_ACCESS_TOKEN"), get("PINTEREST_APP_ID")
    secret, refresh = get("PINTEREST_APP_SECRET"), get("PINTEREST_REFRESH_TOKEN")
    for value in (token, secret, refresh):
        secrets.add(value)
    api_url = (get("PINTEREST_API_URL") or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise Stop(f"PINTEREST_API_URL: expected an http(s) URL, got {api_url!r}")
    for value, name in ((token, "PINTEREST_ACCESS_TOKEN"), (refresh, "PINTEREST_REFRESH_TOKEN")):
        # h11 quotes a header value it rejects in its error: check before it can.
        if value is not None and not (value.isascii() and value.isprintable()):
            raise Stop(f"{name} holds characters no token has (spaces, line breaks?)")
    if token is not None:
        return Client(api_url, token, secrets)
    if app_id and secret and refresh:
        return Client(api_url, _refreshed(api_url, f"{app_id}:{secret}", refresh, secrets), secrets)
    names = ("PINTEREST_APP_ID", "PINTEREST_APP_SECRET", "PINTEREST_REFRESH_TOKEN")
    missing = [n for n, v in zip(names, (app_id, secret, refresh), strict=True) if not v]
    if len(missing) == 3:
        raise Stop(
            "no Pinterest credentials: set PINTEREST_ACCESS_TOKEN, or PINTEREST_APP_ID, "
            "PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN (see docs/publish.md)"
        )
    raise Stop(f"PINTEREST_ACCESS_TOKEN is not set and neither is {', '.join(missing)}")


def _refreshed(api_url: str, app: str, refresh: str, secrets: Secrets) -> str:
    """A fresh access token for the refresh token (OAuth ``refresh_token`` grant)."""
    basic = base64.b64encode(app.encode()).decode("ascii")
    secrets.add(basic)
    client = Client(api_url, "", secrets)
    what = "the token exchange"
    try:
        response = client._send(
            what,
            "POST",
            "oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh},
            headers={"Authorization": f"Basic {basic}"},
        )
    finally:
        client.close()
    if response.status_code in (400, 401, 403):
        raise client._stop(
            f"Pinterest refused the refresh token ({response.status_code}: {_message(response)}):"
            " check PINTEREST_APP_ID, PINTEREST_APP_SECRET and PINTEREST_REFRESH_TOKEN"
        )
    data = client._json(what, response) if response.is_success else {}
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise client._stop(f"the token exchange gave no access token (HTTP {response.status_code})")
    secrets.add(token)
    return token
