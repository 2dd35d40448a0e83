"""Fuzzing the readers: arbitrary front-matter and calendar JSON give a result or our error.

`make test` runs a few hundred cases per reader; `make fuzz` runs 10,000+ (marker ``fuzz``).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_pinplan.calendar_file import loads
from mkdocs_pinplan.errors import PinplanError
from mkdocs_pinplan.posts import PINPLAN_KEYS, parse_front_matter, read_post

LONG = int(os.environ.get("PINPLAN_FUZZ_EXAMPLES", "0"))
EXAMPLES = LONG or 300
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
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
