"""Property tests: a blog lived through random days, checked after every build.

Days pass (the build's "now" only moves forward); posts are added, edited, deleted and
drafted; an uploader publishes due pins, leaves some to be missed, or Pinterest refuses one;
the rules change. After every build: every new or moved pin keeps every SPEC rule, and so
does the projected queue on top of the calendar; nothing published moved, changed or was
lost; no scheduled pin inside the window moved (missed ones aside); none lies beyond the
window; every live pin is on the calendar or in the queue exactly once; the same inputs
give the same bytes, also through a save and load of the file.

Profiles: the default runs in seconds; ``HYPOTHESIS_PROFILE=ci-long`` runs thousands of
examples (``PINPLAN_FUZZ_EXAMPLES=N`` sets any count).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_schedule import broken_rules, spec

from mkdocs_pinplan.calendar_file import dumps, loads, pin_to_dict
from mkdocs_pinplan.durations import Window
from mkdocs_pinplan.model import Calendar, CalendarPin, PinSpec, Rules
from mkdocs_pinplan.schedule import MISSED_AFTER, Plan, evergreen_variants, plan

UTC = timezone.utc
_PROFILES = {"default": 60, "ci-long": 3000}
EXAMPLES = int(
    os.environ.get("PINPLAN_FUZZ_EXAMPLES")
    or _PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "default"), 60)
)
# `make fuzz` (-m fuzz, PINPLAN_FUZZ_EXAMPLES=10000) picks this test up as a long run.
pytestmark = [pytest.mark.fuzz] if os.environ.get("PINPLAN_FUZZ_EXAMPLES") else []
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Zones with DST in both hemispheres, a half-hour DST (Lord Howe) and odd offsets.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
]
# "Now"s a few days before DST switches, so plans run across them.
ANCHORS = [
    datetime(2026, 10, 20, 6, 0, tzinfo=UTC),
    datetime(2026, 10, 28, 23, 0, tzinfo=UTC),
    datetime(2027, 3, 10, 12, 0, tzinfo=UTC),
    datetime(2027, 3, 25, 20, 0, tzinfo=UTC),
    datetime(2027, 4, 1, 14, 30, tzinfo=UTC),
]
POSTS = [f"post-{n}" for n in range(8)]


@st.composite
def windows(draw: st.DrawFn) -> tuple[Window, ...]:
    """One to three non-overlapping windows on quarter hours, possibly ending at 24:00."""
    count = draw(st.integers(1, 3))
    marks = sorted(draw(st.sets(st.integers(0, 96), min_size=2 * count, max_size=2 * count)))
    return tuple(Window(marks[i] * 15, marks[i + 1] * 15) for i in range(0, 2 * count, 2))


@st.composite
def rules_strategy(draw: st.DrawFn) -> Rules:
    return Rules(
        timezone=draw(st.sampled_from(ZONES)),
        start=draw(st.none() | st.dates(date(2026, 10, 1), date(2027, 4, 30))),
        max_per_day=draw(st.integers(1, 6)),
        min_gap=timedelta(minutes=draw(st.sampled_from([0, 1, 30, 45, 90, 240, 1500]))),
        link_gap=timedelta(hours=draw(st.sampled_from([0, 1, 20, 24, 49, 72]))),
        windows=draw(windows()),
        warmup_days=draw(st.integers(0, 14)),
        horizon_days=draw(st.integers(1, 14)),
        evergreen_after=timedelta(days=draw(st.sampled_from([0, 1, 4]))),
    )


@dataclass
class Blog:
    """The posts as the user has them: name → (pins, headline edition, draft, date)."""

    posts: dict[str, tuple[int, int, bool, date]] = field(default_factory=dict)

    def specs(self, extra: dict[str, int] | None = None) -> list[PinSpec]:
        """The posts' pin specs, with ``extra`` variants beyond their pins (as a build
        makes them for evergreen pins)."""
        extra = extra or {}
        return [
            spec(name, index, title=f"{name} headline {index} v{edition}", day=day)
            for name, (pins, edition, draft, day) in sorted(self.posts.items())
            if not draft
            for index in range(1, pins + 1 + extra.get(f"blog/posts/{name}.md", 0))
        ]


post_names = st.sampled_from(POSTS)
steps = st.one_of(
    st.tuples(
        st.just("add"), post_names, st.integers(1, 4), st.dates(date(2026, 1, 1), date(2027, 4, 1))
    ),
    st.tuples(st.just("edit"), post_names, st.integers(1, 5)),
    st.tuples(st.just("delete"), post_names),
    st.tuples(st.just("draft"), post_names, st.booleans()),
    st.tuples(st.just("upload"), st.booleans(), st.integers(0, 90)),
    st.tuples(st.just("refuse"), st.integers(0, 200)),
    st.tuples(st.just("rules"), rules_strategy()),
    st.tuples(st.just("wait"), st.integers(0, 3 * 24 * 60)),
)


@st.composite
def hand_edited(draw: st.DrawFn, now: datetime) -> tuple[CalendarPin, ...]:
    """Pins a user typed into the calendar (or an older version planned months ahead): any
    minute, any status, maybe illegal slots."""
    pins: dict[str, CalendarPin] = {}
    for name in draw(st.lists(post_names, max_size=5)):
        index = draw(st.integers(1, 3))
        minutes = draw(st.integers(-10 * 24 * 60, 90 * 24 * 60))
        base = spec(name, index)
        pins[base.id] = CalendarPin(
            id=base.id,
            post=base.post,
            link=base.link,
            image=base.image,
            media_url=base.media_url,
            title="typed by hand",
            description="",
            alt_text="",
            board="Blog",
            keywords=(),
            publish_at=(now + timedelta(minutes=minutes)).replace(second=0, microsecond=0),
            status=draw(st.sampled_from(["scheduled", "published", "failed"])),
        )
    return tuple(pins.values())


def utc(pin: CalendarPin) -> datetime:
    return pin.publish_at.astimezone(UTC)


def build(blog: Blog, rules: Rules, prev: Calendar | None, now: datetime) -> Plan:
    """One build as build.py does it: evergreen variants asked for, then planned; and
    everything SPEC promises about it checked."""
    specs = blog.specs()
    specs = blog.specs(evergreen_variants(specs, prev, rules, now))
    result = plan(specs, rules, prev, now)
    cal = result.calendar
    text = dumps(cal)
    # Rule 5: same inputs, same bytes; also when the old calendar went through the file.
    assert plan(specs, rules, prev, now) == result
    if prev is not None:
        assert dumps(plan(specs, rules, loads(dumps(prev), "calendar.json"), now).calendar) == text
    assert dumps(loads(text, "calendar.json")) == text

    old = {p.id: p for p in prev.pins} if prev is not None else {}
    live = {s.id for s in specs}
    ids = [p.id for p in cal.pins]
    queued = [p.id for p in result.queue]
    assert len(ids) == len(set(ids)) and not set(ids) & set(queued)
    assert live <= set(ids) | set(queued), "every pin of a live post is planned"
    assert set(queued) <= live
    if prev is not None:
        assert cal.start == prev.start
    end = now + timedelta(days=rules.horizon_days)
    missed = now - timedelta(seconds=MISSED_AFTER)
    for pin in cal.pins:
        before = old.get(pin.id)
        if pin.status == "scheduled":
            assert utc(pin) < end, f"{pin.id} beyond the window"
        may_move = before is None or (
            before.failed or (before.status == "scheduled" and not missed <= utc(before) < end)
        )
        if may_move:
            assert pin.id in live
        else:
            # Compared in UTC: an instant in a repeated (fall-back) hour never equals the
            # same instant in another zone under Python's datetime rules.
            assert utc(pin) == utc(before), f"{pin.id} moved"
    for pin_id, before in old.items():
        if before.published:
            after = next(p for p in cal.pins if p.id == pin_id)
            assert pin_to_dict(after) == pin_to_dict(before), f"published {pin_id} changed"
        elif pin_id not in live:
            assert pin_id not in ids, f"{pin_id} of a gone post kept"
        elif not before.failed and missed <= utc(before) < end:
            assert pin_id in ids, f"{pin_id} inside the window left the calendar"
    new = [p.id for p in cal.pins if p.id not in old or utc(p) != utc(old[p.id])]
    assert broken_rules(cal, rules, now, new) == []
    whole = replace(cal, pins=(*cal.pins, *result.queue))
    assert broken_rules(whole, rules, now, queued) == []
    instants = [utc(p) for p in cal.pins]
    assert instants == sorted(instants)
    return result


@PROPERTY
@given(
    rules=rules_strategy(),
    anchor=st.sampled_from(ANCHORS),
    offset=st.integers(0, 24 * 60 - 1),
    first_posts=st.dictionaries(
        post_names,
        st.tuples(st.integers(1, 4), st.dates(date(2026, 1, 1), date(2027, 4, 1))),
        max_size=6,
    ),
    edited=st.data(),
    script=st.lists(steps, max_size=10),
)
def test_days_of_a_blog_keep_every_promise(
    rules: Rules,
    anchor: datetime,
    offset: int,
    first_posts: dict[str, tuple[int, date]],
    edited: st.DataObject,
    script: list[tuple[object, ...]],
) -> None:
    now = anchor + timedelta(minutes=offset, seconds=17)
    blog = Blog({name: (pins, 1, False, day) for name, (pins, day) in first_posts.items()})
    typed = edited.draw(hand_edited(now))
    prev: Calendar | None = None
    if typed:
        start = edited.draw(st.dates(date(2026, 9, 1), date(2027, 4, 30)))
        prev = Calendar(
            timezone=rules.timezone,
            start=start,
            pins=tuple(sorted(typed, key=lambda p: (p.publish_at, p.id))),
        )
    cal = build(blog, rules, prev, now).calendar
    for step in script:
        kind = step[0]
        if kind == "add":
            _, name, pins, day = step
            blog.posts[str(name)] = (int(pins), 1, False, day)  # type: ignore[call-overload, assignment]
        elif kind == "edit" and step[1] in blog.posts:
            pins, edition, draft, day = blog.posts[str(step[1])]
            blog.posts[str(step[1])] = (int(step[2]), edition + 1, draft, day)  # type: ignore[call-overload]
        elif kind == "delete":
            blog.posts.pop(str(step[1]), None)
        elif kind == "draft" and step[1] in blog.posts:
            pins, edition, _, day = blog.posts[str(step[1])]
            blog.posts[str(step[1])] = (pins, edition, bool(step[2]), day)
        elif kind == "upload":
            # The uploader posts every due pin, up to `late` minutes after its time (but
            # not after now), or hands the whole window over through a CSV export.
            handed, late = bool(step[1]), timedelta(minutes=int(step[2]))  # type: ignore[call-overload]
            until = now + (timedelta(days=rules.horizon_days) if handed else timedelta(0))
            cal = replace(
                cal,
                pins=tuple(
                    replace(
                        p,
                        status="published",
                        publish_at=p.publish_at if handed else min(p.publish_at + late, now),
                    )
                    if p.status == "scheduled" and p.publish_at <= until
                    else p
                    for p in cal.pins
                ),
            )
        elif kind == "refuse" and cal.pins:
            chosen = cal.pins[int(step[1]) % len(cal.pins)]  # type: ignore[call-overload]
            cal = replace(
                cal,
                pins=tuple(
                    replace(p, status="failed", error="refused")
                    if p.id == chosen.id and p.status == "scheduled"
                    else p
                    for p in cal.pins
                ),
            )
        elif kind == "rules":
            assert isinstance(step[1], Rules)
            rules = step[1]
        elif kind == "wait":
            now += timedelta(minutes=int(step[1]))  # type: ignore[call-overload]
        cal = build(blog, rules, cal, now).calendar


@PROPERTY
@given(
    rules=rules_strategy(),
    anchor=st.sampled_from(ANCHORS),
    offset=st.integers(0, 24 * 60 - 1),
    backlog=st.integers(10, 40),
    days=st.integers(1, 12),
    hours=st.lists(st.integers(0, 23), min_size=12, max_size=12),
)
def test_past_the_warmup_a_fresh_post_is_pinned_today_or_tomorrow(
    rules: Rules,
    anchor: datetime,
    offset: int,
    backlog: int,
    days: int,
    hours: list[int],
) -> None:
    """A blog with a backlog, built at random hours of days that pass while an uploader
    posts what is due: a post written on the last day gets its first pin on the calendar,
    that day or the next (within 48 hours)."""
    # Past the warm-up, days with a cap of two or more, a window that reaches tomorrow, and
    # pins less than a day apart (a 25-hour min_gap leaves no room tomorrow after a pin today).
    rules = replace(
        rules,
        start=date(2026, 1, 1),
        max_per_day=max(rules.max_per_day, 2),
        horizon_days=max(rules.horizon_days, 2),
        min_gap=min(rules.min_gap, timedelta(hours=4)),
    )
    names = [f"old-{n:02d}" for n in range(backlog)]
    posts = {
        name: (3, 1, False, date(2025, 1, 1) + timedelta(days=n)) for n, name in enumerate(names)
    }
    blog = Blog(posts)
    now = anchor + timedelta(minutes=offset)
    calendar = build(blog, rules, None, now).calendar
    tz = ZoneInfo(rules.timezone)
    for day in range(days):
        # One build a local day, at that day's hour.
        tomorrow = now.astimezone(tz).date() + timedelta(days=1)
        now = datetime.combine(tomorrow, time(hours[day], offset % 60), tz).astimezone(UTC)
        calendar = replace(
            calendar,
            pins=tuple(
                replace(p, status="published") if p.publish_at <= now else p for p in calendar.pins
            ),
        )
        if day == days - 1:
            blog.posts["fresh"] = (3, 1, False, date(2027, 12, 31))
        calendar = build(blog, rules, calendar, now).calendar
    first = next(p for p in calendar.pins if p.post == "blog/posts/fresh.md")
    today = now.astimezone(tz).date()
    assert first.publish_at.astimezone(tz).date() in (today, today + timedelta(days=1))
    assert first.publish_at - now <= timedelta(hours=48)
