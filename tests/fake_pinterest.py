"""A fake Pinterest account behind API v5, held to Pinterest's own OpenAPI description.

Every request the uploader sends is validated against ``../shared/pinterest-api/
openapi-v5.json`` (openapi-core), and so is every answer the fake gives; anything off is
kept in :attr:`FakePinterest.problems`, which the tests assert empty. Faults are queued per
operation: ``429`` (with ``Retry-After``), ``500``, ``timeout`` (nothing made),
``lost`` (the pin is made, the answer never arrives) and ``crash`` (the pin is made and
the uploader's process dies before it can record it). It serves through
``httpx.MockTransport`` (fast, for the stateful test) or a real local HTTP server.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from conftest import ROOT

SPEC = ROOT.parent / "shared" / "pinterest-api" / "openapi-v5.json"
API_HOST = "https://api.pinterest.com"
ACCESS_TOKEN = "pina_FAKE-ACCESS-TOKEN-0123456789"
APP_ID = "1500000"
APP_SECRET = "fake-app-secret-abcdef"
REFRESH_TOKEN = "pinr_FAKE-REFRESH-TOKEN-9876543210"
REFRESHED_TOKEN = "pina_FRESH-FROM-REFRESH-5555555555"


@lru_cache(maxsize=1)
def openapi() -> OpenAPI:
    """Pinterest's API description, parsed once per test session (it takes seconds)."""
    return OpenAPI.from_file_path(str(SPEC))


class Crash(BaseException):
    """The uploader's process dies here (raised through httpx, past every handler)."""


class Stall(Exception):
    """The answer never arrives: the transport raises a timeout instead."""


@dataclass
class Fault:
    """One failure, used up by the next request of ``operation`` (``*``: any request)."""

    kind: str
    operation: str = "pins/create"
    retry_after: str | None = None
    message: str = "Something went wrong on our end."


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Request:
    """The request as openapi-core reads it (its ``Request`` protocol)."""

    method: str
    path: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None
    host_url: str = API_HOST

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


@dataclass
class _Response:
    status_code: int
    data: bytes
    headers: Headers
    content_type: str = "application/json"


def _operation(method: str, path: str) -> str:
    if path == "/v5/oauth/token":
        return "oauth/token"
    if path == "/v5/boards":
        return "boards/list"
    if re.fullmatch(r"/v5/boards/[^/]+/pins", path):
        return "boards/list_pins"
    if path == "/v5/pins" and method == "POST":
        return "pins/create"
    return "other"


def _time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class FakePinterest:
    """One Pinterest account: boards, pins, valid tokens, and a queue of faults."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        boards: list[str],
        *,
        page_size: int = 2,
        site: str = "https://blog.example",
    ) -> None:
        self.clock = clock
        self.boards = [{"id": str(4100 + n), "name": name} for n, name in enumerate(boards)]
        self.pins: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.problems: list[str] = []
        self.log: list[str] = []
        self.page_size = page_size
        """The server's own page limit, small so every list spans several pages."""
        self.site = site
        self.missing_media: set[str] = set()
        self.tokens = {ACCESS_TOKEN, REFRESHED_TOKEN}
        self.refuse_titles = "REFUSE"
        """A pin whose title holds this is refused with 400 (and the token in the message)."""

    def links(self) -> list[str]:
        return [pin["link"] for pin in self.pins]

    def _fault(self, operation: str) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.operation in (operation, "*"):
                return self.faults.pop(index)
        return None

    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[Answer, Callable[[], None] | None]:
        """The answer, and what happens after it is "sent" (``Stall``, ``Crash``) if anything."""
        parts = urlsplit(url)
        if not parts.path.startswith("/v5/"):
            return self._media(method, url), None
        operation = _operation(method, parts.path)
        self.log.append(operation)
        request = _Request(
            method.lower(),
            parts.path,
            RequestParameters(
                query=ImmutableMultiDict(parse_qsl(parts.query)),
                header=Headers(headers),
                cookie=ImmutableMultiDict(),
                path={},
            ),
            headers.get("content-type", "").split(";")[0],
            body or None,
        )
        result = openapi().unmarshal_request(request)
        if result.errors:
            self.problems.append(f"{method} {parts.path}: {result.errors!r}")
            return Answer(400, {"code": 1, "message": "Invalid request"}), None
        answer, after = self._answer(operation, request, headers)
        if answer.status == 0:
            return answer, after  # no answer is ever sent
        data = json.dumps(answer.body).encode() if answer.body is not None else b""
        try:
            openapi().validate_response(
                request, _Response(answer.status, data, Headers(answer.headers))
            )
        except Exception as exc:  # any validation error is a fault of the fake
            self.problems.append(f"answer to {method} {parts.path}: {exc!r}")
        return answer, after

    def _answer(
        self, operation: str, request: _Request, headers: dict[str, str]
    ) -> tuple[Answer, Callable[[], None] | None]:
        if operation == "oauth/token":
            return self._token(request, headers), None
        if headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return Answer(401, {"code": 2, "message": "Authentication failed."}), None
        fault = self._fault(operation)
        if fault is not None and fault.kind not in ("lost", "crash"):
            return self._failure(fault), None
        if operation == "boards/list":
            return self._page(self.boards, request), None
        if operation == "boards/list_pins":
            board_id = request.path.split("/")[3]
            if all(board["id"] != board_id for board in self.boards):
                return Answer(404, {"code": 404, "message": "Board not found."}), None
            pins = [self._pin(p) for p in self.pins if p["board_id"] == board_id]
            return self._page(pins, request), None
        answer = self._create(request, headers)
        if fault is not None and answer.status == 201:
            return answer, _raise(Stall() if fault.kind == "lost" else Crash())
        return answer, None

    def _failure(self, fault: Fault) -> Answer:
        if fault.kind == "timeout":
            return Answer(0, None)
        status = int(fault.kind)
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        return Answer(status, {"code": status, "message": fault.message}, headers)

    def _token(self, request: _Request, headers: dict[str, str]) -> Answer:
        basic = base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
        form = dict(parse_qsl((request.body or b"").decode()))
        fault = self._fault("oauth/token")
        if fault is not None:
            return self._failure(fault)
        if headers.get("authorization") != f"Basic {basic}":
            return Answer(401, {"code": 401, "message": "Invalid client credentials"})
        if form.get("refresh_token") != REFRESH_TOKEN:
            return Answer(400, {"code": 400, "message": "Invalid refresh token"})
        body = {
            "access_token": REFRESHED_TOKEN,
            "token_type": "bearer",
            "expires_in": 2592000,
            "scope": "boards:read pins:read pins:write",
            "response_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "refresh_token_expires_in": 5184000,
            "refresh_token_expires_at": 1900000000,
        }
        return Answer(200, body)

    def _page(self, items: list[dict[str, Any]], request: _Request) -> Answer:
        query = request.parameters.query
        size = min(int(query.get("page_size", 25)), self.page_size)
        start = int(base64.b64decode(query["bookmark"])) if "bookmark" in query else 0
        end = start + size
        bookmark = base64.b64encode(str(end).encode()).decode() if end < len(items) else None
        return Answer(200, {"items": items[start:end], "bookmark": bookmark})

    def _pin(self, pin: dict[str, Any]) -> dict[str, Any]:
        keys = ("id", "board_id", "link", "title", "description", "alt_text")
        return {**{k: pin[k] for k in keys}, "created_at": _time(pin["created_at"])}

    def _create(self, request: _Request, headers: dict[str, str]) -> Answer:
        data = json.loads(request.body or b"{}")
        if all(board["id"] != data["board_id"] for board in self.boards):
            return Answer(404, {"code": 404, "message": "Board not found."})
        if self.refuse_titles in data.get("title", ""):
            token = headers.get("authorization", "")
            return Answer(400, {"code": 400, "message": f"Spam link refused ({token})"})
        pin = {
            "id": str(9100000 + len(self.pins)),
            "board_id": data["board_id"],
            "link": data["link"],
            "title": data["title"],
            "description": data["description"],
            "alt_text": data["alt_text"],
            "media_url": data["media_source"]["url"],
            "created_at": self.clock(),
        }
        self.pins.append(pin)
        return Answer(201, self._pin(pin))

    def _media(self, method: str, url: str) -> Answer:
        if url in self.missing_media:
            return Answer(404, None, {"Content-Type": "text/html"})
        return Answer(200, None, {"Content-Type": "image/jpeg"})


def _raise(error: BaseException) -> Callable[[], None]:
    def after() -> None:
        raise error

    return after


def transport(fake: FakePinterest) -> httpx.MockTransport:
    """The fake behind an httpx transport: timeouts and lost answers raise ``ReadTimeout``."""

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer, after = fake.handle(request.method, str(request.url), headers, request.content)
        if after is not None:
            try:
                after()
            except Stall:
                raise httpx.ReadTimeout("timed out", request=request) from None
        if answer.status == 0:
            raise httpx.ReadTimeout("timed out", request=request)
        content = json.dumps(answer.body).encode() if answer.body is not None else b"\xff\xd8"
        answer_headers = {"Content-Type": "application/json", **answer.headers}
        return httpx.Response(answer.status, headers=answer_headers, content=content)

    return httpx.MockTransport(handler)


def serve(fake: FakePinterest, server: Any, stall: float) -> None:
    """The fake behind a local HTTP server (pytest-httpserver); a timeout sleeps ``stall`` s."""
    from werkzeug import Request, Response

    def handler(request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer, after = fake.handle(request.method, request.url, headers, request.get_data())
        if answer.status == 0 or after is not None:
            time.sleep(stall)
        if answer.status == 0:
            return Response(b"", status=504)
        content = json.dumps(answer.body) if answer.body is not None else b"\xff\xd8"
        answer_headers = {"Content-Type": "application/json", **answer.headers}
        return Response(content, status=answer.status, headers=answer_headers)

    server.expect_request(re.compile(".*")).respond_with_handler(handler)
