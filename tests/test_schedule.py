"""The planner against SPEC's spacing rules, one rule (and one DST day) at a time."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from mkdocs_pinplan.calendar_file import dumps
from mkdocs_pinplan.durations import parse_windows
from mkdocs_pinplan.model import (
    Brand,
    Calendar,
    CalendarPin,
    Design,
    Palette,
    PinSpec,
    Rules,
)
from mkdocs_pinplan.schedule import (
    Zone,
    _block,
    _narrow,
    _window_minutes,
    jitter_seconds,
    plan,
    violations,
)

UTC = timezone.utc
DESIGN = Design(
    headline="x",
    layout="block",
    palette=Palette(background="#112233", text="#f0f0f0", accent="#ff8800"),
    brand=Brand(name="example.com"),
)


def spec(post: str, index: int = 1, title: str | None = None, day: date | None = None) -> PinSpec:
    """A pin spec of ``post`` (a short name); the planner only reads ids, posts and dates."""
    src = f"blog/posts/{post}.md"
    return PinSpec(
        id=f"{src}#{index}",
        post=src,
        index=index,
        design=DESIGN,
        image_path=f"assets/pinplan/{post}-{index}.jpg",
        title=title or f"{post} headline {index}",
        description=f"About {post}",
        alt_text=f"{post} {index}",
        board="Blog",
        keywords=("k",),
        link=f"https://example.com/{post}/?utm_content=pin{index}",
        media_url=f"https://example.com/assets/pinplan/{post}-{index}.jpg",
        post_date=day,
    )


def specs_for(posts: Iterable[str], pins: int = 1) -> list[PinSpec]:
    return [spec(p, i) for p in posts for i in range(1, pins + 1)]


def rules(**changes: object) -> Rules:
    """Rules that leave every slot open unless a test narrows them."""
    base: dict[str, object] = {
        "timezone": "Europe/Berlin",
        "start": None,
        "max_per_day": 50,
        "min_gap": timedelta(0),
        "link_gap": timedelta(0),
        "windows": parse_windows(["00:00-24:00"]),
        "warmup_days": 0,
        "jitter": timedelta(0),
    }
    base.update(changes)
    if isinstance(base["windows"], list):
        base["windows"] = parse_windows(base["windows"])
    return Rules(**base)  # type: ignore[arg-type]


def local(pin: CalendarPin, tz: str) -> datetime:
    return pin.publish_at.astimezone(ZoneInfo(tz))


def broken_rules(
    calendar: Calendar, rules: Rules, now: datetime, new_ids: Iterable[str]
) -> list[str]:
    """Every SPEC rule a newly placed pin breaks, checked with plain datetime arithmetic
    (independently of the planner's epoch-second machinery)."""
    tz = ZoneInfo(rules.timezone)
    pins = calendar.pins
    per_day = Counter(p.publish_at.astimezone(tz).date() for p in pins)
    errors: list[str] = []
    by_id = {p.id: p for p in pins}
    for pin_id in new_ids:
        pin = by_id[pin_id]
        at = pin.publish_at.astimezone(tz)
        day = at.date()
        k = (day - calendar.start).days
        if rules.warmup_days == 0 or k >= rules.warmup_days:
            cap = rules.max_per_day
        else:
            cap = 1 + (rules.max_per_day - 1) * k // rules.warmup_days
        if per_day[day] > cap:
            errors.append(f"{pin.id}: {day} holds {per_day[day]} > cap {cap}")
        if k < 0 or (rules.start is not None and day < rules.start):
            errors.append(f"{pin.id}: before start")
        if pin.publish_at < now:
            errors.append(f"{pin.id}: before now")
        if at.second or at.microsecond:
            errors.append(f"{pin.id}: not a whole minute")
        minute = at.hour * 60 + at.minute
        if not any(w.start <= minute < w.end for w in rules.windows):
            errors.append(f"{pin.id}: {at} outside windows")
        for other in pins:
            if other.id == pin.id:
                continue
            # In UTC: subtracting two times of one ZoneInfo zone ignores DST changes.
            apart = abs(other.publish_at.astimezone(UTC) - pin.publish_at.astimezone(UTC))
            if apart < rules.min_gap:
                errors.append(f"{pin.id}: {apart} from {other.id}")
            if other.post == pin.post:
                if apart < rules.link_gap:
                    errors.append(f"{pin.id}: {apart} from {other.id} of its post")
                if other.publish_at.astimezone(tz).date() == day:
                    errors.append(f"{pin.id}: same day as {other.id}")
    return errors


def times(calendar: Calendar, tz: str, day: date) -> list[str]:
    """Local wall times (with offset) of the pins on ``day``."""
    return [local(p, tz).strftime("%H:%M%z") for p in calendar.pins if local(p, tz).date() == day]


NOW = datetime(2026, 11, 18, 11, 6, 40, tzinfo=UTC)


# --- Rule 4: windows in the IANA zone, DST-correct -------------------------------------------


def test_berlin_spring_forward_skips_the_missing_hour() -> None:
    # 2027-03-28: clocks jump from 02:00 CET to 03:00 CEST; 02:xx does not exist.
    r = rules(start=date(2027, 3, 28), windows=["01:30-03:30"], min_gap=timedelta(minutes=10))
    cal = plan(specs_for(f"p{i}" for i in range(6)), r, None, NOW)
    assert times(cal, "Europe/Berlin", date(2027, 3, 28)) == [
        "01:30+0100", "01:40+0100", "01:50+0100", "03:00+0200", "03:10+0200", "03:20+0200",
    ]  # fmt: skip
    assert broken_rules(cal, r, NOW, [p.id for p in cal.pins]) == []


def test_berlin_fall_back_uses_both_passes_of_the_repeated_hour() -> None:
    # 2027-10-31: 03:00 CEST falls back to 02:00 CET, so 02:00-03:00 happens twice.
    r = rules(start=date(2027, 10, 31), windows=["02:00-03:00"], min_gap=timedelta(minutes=30))
    cal = plan(specs_for(f"p{i}" for i in range(5)), r, None, NOW)
    day = [p for p in cal.pins if local(p, "Europe/Berlin").date() == date(2027, 10, 31)]
    assert [p.publish_at.astimezone(UTC).strftime("%H:%M") for p in day] == [
        "00:00", "00:30", "01:00", "01:30",
    ]  # fmt: skip
    assert times(cal, "Europe/Berlin", date(2027, 10, 31)) == [
        "02:00+0200", "02:30+0200", "02:00+0100", "02:30+0100",
    ]  # fmt: skip
    # The fifth pin goes to the next day's window.
    assert local(cal.pins[4], "Europe/Berlin").isoformat() == "2027-11-01T02:00:00+01:00"


def test_new_york_spring_forward_has_no_0200_window_that_day() -> None:
    # 2027-03-14: 02:00 EST jumps to 03:00 EDT; a 02:00-03:00 window is empty that day.
    r = rules(start=date(2027, 3, 14), windows=["02:00-03:00"], timezone="America/New_York")
    cal = plan(specs_for(["only"]), r, None, NOW)
    assert local(cal.pins[0], "America/New_York").isoformat() == "2027-03-15T02:00:00-04:00"


def test_new_york_fall_back_repeats_the_0100_hour() -> None:
    # 2026-11-01: 02:00 EDT falls back to 01:00 EST.
    r = rules(
        start=date(2026, 11, 1),
        windows=["01:00-02:00"],
        timezone="America/New_York",
        min_gap=timedelta(minutes=30),
    )
    now = datetime(2026, 10, 1, tzinfo=UTC)
    cal = plan(specs_for(f"p{i}" for i in range(4)), r, None, now)
    assert [p.publish_at.isoformat() for p in cal.pins] == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:30:00-05:00",
    ]


@pytest.mark.parametrize(
    ("tz", "day", "utc"),
    [
        ("Europe/Berlin", date(2027, 3, 27), "07:00"),  # CET: 08:00 local is 07:00 UTC
        ("Europe/Berlin", date(2027, 3, 28), "06:00"),  # CEST from this day on
        ("America/New_York", date(2027, 3, 13), "13:00"),
        ("America/New_York", date(2027, 3, 14), "12:00"),
    ],
)
def test_a_morning_window_follows_local_time_across_dst(tz: str, day: date, utc: str) -> None:
    r = rules(start=day, windows=["08:00-11:00"], timezone=tz)
    cal = plan(specs_for(["a"]), r, None, NOW)
    assert local(cal.pins[0], tz).strftime("%Y-%m-%d %H:%M") == f"{day} 08:00"
    assert cal.pins[0].publish_at.astimezone(UTC).strftime("%H:%M") == utc


# --- Rule 1: the daily cap with the warm-up ---------------------------------------------------


def test_daily_cap_ramps_up_from_one_over_the_warmup_from_start() -> None:
    r = rules(start=date(2026, 12, 1), max_per_day=5, warmup_days=14, min_gap=timedelta(hours=1))
    cal = plan(specs_for(f"p{i:03d}" for i in range(120)), r, None, NOW)
    per_day = Counter(local(p, "Europe/Berlin").date() for p in cal.pins)
    counts = [per_day[date(2026, 12, 1) + timedelta(days=k)] for k in range(20)]
    assert counts == [1 + 4 * k // 14 for k in range(14)] + [5] * 6
    assert counts[:14] == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4]


def test_warmup_zero_means_the_full_cap_from_the_first_day() -> None:
    r = rules(start=date(2026, 12, 1), max_per_day=3, warmup_days=0)
    cal = plan(specs_for(f"p{i}" for i in range(7)), r, None, NOW)
    per_day = Counter(local(p, "Europe/Berlin").date() for p in cal.pins)
    assert [per_day[date(2026, 12, d)] for d in (1, 2, 3)] == [3, 3, 1]


def test_warmup_is_anchored_at_the_calendar_start_not_at_now() -> None:
    existing = Calendar(timezone="Europe/Berlin", start=date(2026, 1, 1), pins=())
    r = rules(start=date(2026, 12, 1), max_per_day=5, warmup_days=14)
    cal = plan(specs_for(f"p{i}" for i in range(5)), r, existing, NOW)
    # The calendar began long ago: its start stays, the warm-up is over, 5 pins fit a day.
    assert cal.start == date(2026, 1, 1)
    assert len({local(p, "Europe/Berlin").date() for p in cal.pins}) == 1


# --- Rules 2 and 3: gaps -------------------------------------------------------------------


def test_min_gap_spaces_every_pin() -> None:
    r = rules(start=date(2026, 12, 1), windows=["08:00-12:00"], min_gap=timedelta(minutes=90))
    cal = plan(specs_for(["a", "b", "c", "d"]), r, None, NOW)
    assert times(cal, "Europe/Berlin", date(2026, 12, 1)) == [
        "08:00+0100", "09:30+0100", "11:00+0100",
    ]  # fmt: skip
    assert local(cal.pins[3], "Europe/Berlin").isoformat() == "2026-12-02T08:00:00+01:00"


def test_pins_of_one_post_keep_link_gap_and_never_share_a_day() -> None:
    r = rules(start=date(2026, 12, 1), link_gap=timedelta(days=3))
    cal = plan(specs_for(["a"], pins=3), r, None, NOW)
    days = [local(p, "Europe/Berlin").date() for p in cal.pins]
    assert days == [date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 7)]

    short = rules(start=date(2026, 12, 1), link_gap=timedelta(minutes=5))
    cal = plan(specs_for(["a"], pins=3), short, None, NOW)
    assert len({local(p, "Europe/Berlin").date() for p in cal.pins}) == 3


def test_first_pins_of_every_post_come_before_second_pins_newest_post_first() -> None:
    specs = [spec("old", i, day=date(2026, 1, 1)) for i in (1, 2)]
    specs += [spec("new", i, day=date(2026, 11, 1)) for i in (1, 2)]
    r = rules(start=date(2026, 12, 1), max_per_day=1)
    cal = plan(specs, r, None, NOW)
    assert [p.id for p in cal.pins] == [
        "blog/posts/new.md#1", "blog/posts/old.md#1", "blog/posts/new.md#2", "blog/posts/old.md#2",
    ]  # fmt: skip


# --- Jitter, now and start -----------------------------------------------------------------


def test_jitter_is_deterministic_per_pin_and_within_bounds() -> None:
    jitter = timedelta(minutes=20)
    r = rules(start=date(2026, 12, 1), windows=["08:00-11:00"], jitter=jitter)
    specs = specs_for(f"p{i}" for i in range(40))
    delays = {s.id: jitter_seconds(s.id, jitter) for s in specs}
    assert all(0 <= d <= 20 * 60 and d % 60 == 0 for d in delays.values())
    assert len(set(delays.values())) > 5  # not one fixed offset
    first = plan(specs[:1], r, None, NOW)
    assert (
        local(first.pins[0], "Europe/Berlin").time()
        == (datetime(2026, 12, 1, 8) + timedelta(seconds=delays[specs[0].id])).time()
    )
    assert dumps(plan(specs, r, None, NOW)) == dumps(plan(specs, r, None, NOW))


def test_jitter_never_breaks_a_rule() -> None:
    r = rules(
        start=date(2026, 12, 1),
        windows=["08:00-08:30", "19:00-19:10"],
        min_gap=timedelta(minutes=25),
        jitter=timedelta(minutes=45),
        max_per_day=3,
    )
    cal = plan(specs_for(f"p{i}" for i in range(30)), r, None, NOW)
    assert broken_rules(cal, r, NOW, [p.id for p in cal.pins]) == []


def test_new_pins_are_never_before_now_nor_before_start() -> None:
    now = datetime(2026, 12, 5, 9, 40, 30, tzinfo=UTC)  # 10:40:30 in Berlin, inside the window
    r = rules(start=date(2026, 12, 1), windows=["08:00-11:00"])
    cal = plan(specs_for(["a", "b"]), r, None, now)
    assert cal.start == date(2026, 12, 1)
    assert local(cal.pins[0], "Europe/Berlin").isoformat() == "2026-12-05T10:41:00+01:00"

    later = rules(start=date(2027, 1, 10))
    cal = plan(specs_for(["a"]), later, None, NOW)
    assert local(cal.pins[0], "Europe/Berlin").date() == date(2027, 1, 10)


def test_first_calendar_starts_the_day_after_now_without_a_configured_start() -> None:
    cal = plan(specs_for(["a"]), rules(), None, NOW)
    assert cal.start == date(2026, 11, 19)
    assert local(cal.pins[0], "Europe/Berlin").date() == date(2026, 11, 19)


# --- Rules 5 and 6: determinism and stability ---------------------------------------------


def test_replanning_the_same_inputs_gives_the_same_bytes() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))
    specs = specs_for([f"p{i}" for i in range(12)], pins=3)
    first = plan(specs, r, None, NOW)
    again = plan(specs, r, first, NOW + timedelta(hours=5))
    assert dumps(again) == dumps(first)
    assert dumps(plan(list(reversed(specs)), r, None, NOW)) == dumps(first)


def test_existing_pins_keep_their_slots_and_new_ones_fill_free_slots() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))
    specs = specs_for(["a", "b", "c"], pins=2)
    first = plan(specs, r, None, NOW)
    added = [*specs, *specs_for(["d"], pins=2)]
    second = plan(added, r, first, NOW + timedelta(days=3))
    before = {p.id: p.publish_at for p in first.pins}
    assert {p.id: p.publish_at for p in second.pins if p.id in before} == before
    new = [p.id for p in second.pins if p.id not in before]
    assert new == ["blog/posts/d.md#1", "blog/posts/d.md#2"]
    assert broken_rules(second, r, NOW + timedelta(days=3), new) == []


def test_deleted_posts_and_drafts_are_dropped_unless_published() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))
    specs = specs_for(["a", "b"], pins=2)
    first = plan(specs, r, None, NOW)
    published_id = "blog/posts/b.md#1"
    marked = replace(
        first,
        pins=tuple(
            replace(p, status="published") if p.id == published_id else p for p in first.pins
        ),
    )
    # Post b is gone (deleted, or a draft: either way it has no specs any more).
    second = plan(specs_for(["a"], pins=2), r, marked, NOW)
    ids = [p.id for p in second.pins]
    assert published_id in ids and "blog/posts/b.md#2" not in ids
    kept = next(p for p in second.pins if p.id == published_id)
    assert kept == next(p for p in marked.pins if p.id == published_id)


def test_a_changed_headline_keeps_the_slot_but_a_published_pin_keeps_its_text() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))
    first = plan(specs_for(["a", "b"]), r, None, NOW)
    marked = replace(
        first,
        pins=tuple(
            replace(p, status="published") if p.post.endswith("b.md") else p for p in first.pins
        ),
    )
    edited = [spec("a", title="A better headline"), spec("b", title="Also new")]
    second = plan(edited, r, marked, NOW)
    a_old, b_old = (next(p for p in marked.pins if p.post.endswith(f"{n}.md")) for n in "ab")
    a_new, b_new = (next(p for p in second.pins if p.post.endswith(f"{n}.md")) for n in "ab")
    assert a_new.publish_at == a_old.publish_at and a_new.title == "A better headline"
    assert b_new == b_old and b_new.title != "Also new"


def test_a_hand_placed_pin_in_an_illegal_slot_is_kept_avoided_and_reported() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1), jitter=timedelta(0))
    first = plan(specs_for(["a"]), r, None, NOW)
    illegal = datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # outside windows
    edited = replace(first, pins=(replace(first.pins[0], publish_at=illegal),))
    second = plan(specs_for(["a", "b"]), r, edited, NOW)
    assert second.pins[0].publish_at == illegal
    found = violations(second, r)
    assert [(v.pin_id, v.rule) for v in found] == [("blog/posts/a.md#1", "windows")]
    assert "outside the windows 08:00-11:00, 19:00-22:00" in str(found[0])
    # Published pins are history: not reported.
    done = replace(second, pins=tuple(replace(p, status="published") for p in second.pins))
    assert violations(done, r) == []


def test_violations_reports_each_rule() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1), max_per_day=1, warmup_days=0)
    base = plan(specs_for(["a"], pins=2), rules(start=date(2026, 12, 1)), None, NOW)
    tz = ZoneInfo("Europe/Berlin")
    crowded = replace(
        base,
        pins=(
            replace(base.pins[0], publish_at=datetime(2026, 12, 2, 9, 0, tzinfo=tz)),
            replace(base.pins[1], publish_at=datetime(2026, 12, 2, 9, 30, tzinfo=tz)),
        ),
    )
    rules_broken = {v.rule for v in violations(crowded, r)}
    assert rules_broken == {"max_per_day", "min_gap", "link_gap"}
    assert violations(plan(specs_for(["a"], pins=2), r, None, NOW), r) == []


def test_rule_changes_keep_existing_pins_where_they_are() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))
    first = plan(specs_for(["a", "b", "c"]), r, None, NOW)
    stricter = replace(r, windows=parse_windows(["20:00-21:00"]), timezone="America/New_York")
    second = plan(specs_for(["a", "b", "c"]), stricter, first, NOW)
    assert [p.publish_at for p in second.pins] == [p.publish_at for p in first.pins]
    assert second.timezone == "America/New_York"
    assert all(p.publish_at.utcoffset() == timedelta(hours=-5) for p in second.pins)


def _minutes(free: list[tuple[int, int]]) -> list[int]:
    """The minutes in ``free``'s ranges, which must be non-empty, sorted and disjoint."""
    assert all(a < b for a, b in free)
    assert all(b1 <= a2 for (_, b1), (a2, _) in pairwise(free))
    return [m for a, b in free for m in range(a, b)]


def _allowed(
    minutes: range,
    intervals: tuple[tuple[int, int], ...],
    not_before: int,
    gap: int,
    pins: list[int],
) -> list[int]:
    """The minutes a pin may take, checked one by one (epoch seconds, rules 2 and 4)."""
    return [
        m
        for m in minutes
        if m * 60 >= not_before
        and any(lo <= m * 60 < hi for lo, hi in intervals)
        and all(not s - gap < m * 60 < s + gap for s in pins)
    ]


def test_the_front_days_free_minutes_are_what_a_minute_by_minute_check_allows() -> None:
    """place_all keeps a day's free minutes as ranges and cuts them at each placement:
    they must hold exactly the whole minutes inside a window, from not_before on, and
    min_gap from every pin (odd seconds and gaps included)."""
    rng = random.Random(20261201)
    for _ in range(200):
        base = rng.randrange(10**9, 4 * 10**9)
        marks = sorted(rng.sample(range(8 * 3600), 2 * rng.randint(1, 3)))
        intervals = tuple(
            (base + a, base + b) for a, b in zip(marks[::2], marks[1::2], strict=True)
        )
        gap = rng.choice([0, 1, 59, 60, 61, 45 * 60, 90 * 60 + 7, 25 * 3600])
        near = sorted(base + rng.randrange(-26 * 3600, 34 * 3600) for _ in range(rng.randint(0, 6)))
        not_before = base + rng.randrange(-3600, 6 * 3600)
        span = range(intervals[0][0] // 60, intervals[-1][1] // 60 + 1)

        free = _window_minutes(intervals)
        assert _minutes(free) == _allowed(span, intervals, -(10**10), 0, [])
        _narrow(free, near, not_before, gap)
        assert _minutes(free) == _allowed(span, intervals, not_before, gap, near)
        # Placing at free minutes cuts min_gap around them, as place_all does.
        spread = -(-gap // 60)
        for _ in range(4):
            if not free or not spread:
                break
            minute = rng.choice(_minutes(free))
            _block(free, minute - spread, minute + spread)
            near = sorted([*near, minute * 60])
            assert _minutes(free) == _allowed(span, intervals, not_before, gap, near)


@pytest.mark.parametrize(
    "tz", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Gaza", "Asia/Kolkata"]
)
@pytest.mark.parametrize("year", [2026, 2051])
def test_a_calm_days_free_minutes_are_its_intervals_whole_minutes(tz: str, year: int) -> None:
    """place_all takes a calm day's minutes from Zone.calm_midnight, other days' from
    Zone.intervals: on every calm day the two must agree (also past the tz table, 2037)."""
    windows = [(0, 90), (8 * 60, 11 * 60 + 30), (23 * 60, 24 * 60)]
    fast, slow = Zone(tz, windows), Zone(tz, windows)
    first = date(year, 1, 1).toordinal()
    calm = 0
    for day in range(first, first + 2 * 366):
        base = fast.calm_midnight(day)
        if base is not None:
            calm += 1
            assert [(base + a, base + b) for a, b in windows] == _window_minutes(
                slow.intervals(day)
            )
        else:
            slow.intervals(day)
        assert fast.day_tz[day].utcoffset(None) == slow.day_tz[day].utcoffset(None)
    assert calm > 2 * 366 - 40  # the offset changes a few times a year
