"""The planner against SPEC's "The plan", "The spacing rules" and "Statuses", one promise at
a time. ``broken_rules`` is the independent checker the property tests share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from mkdocs_pinplan.calendar_file import dumps
from mkdocs_pinplan.durations import parse_windows
from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS
from mkdocs_pinplan.model import (
    Brand,
    Calendar,
    CalendarPin,
    Design,
    Palette,
    PinSpec,
    Rules,
)
from mkdocs_pinplan.schedule import Zone, evergreen_variants, plan, violations

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
DESIGN = Design(
    headline="x",
    layout=BUILTIN_LAYOUTS["block"],
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
        image=f"assets/pinplan/{post}-{index}.jpg",
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
    """Rules that leave every slot open unless a test narrows them (a 14-day window)."""
    base: dict[str, object] = {
        "timezone": "Europe/Berlin",
        "start": None,
        "max_per_day": 50,
        "min_gap": timedelta(0),
        "link_gap": timedelta(0),
        "windows": parse_windows(["00:00-24:00"]),
        "warmup_days": 0,
        "horizon_days": 14,
    }
    base.update(changes)
    if isinstance(base["windows"], list):
        base["windows"] = parse_windows(base["windows"])
    return Rules(**base)  # type: ignore[arg-type]


def local(pin: CalendarPin, tz: str = "Europe/Berlin") -> datetime:
    return pin.publish_at.astimezone(ZoneInfo(tz))


def broken_rules(
    calendar: Calendar, rules: Rules, now: datetime, new_ids: Iterable[str]
) -> list[str]:
    """Every SPEC rule a newly placed pin breaks, checked with plain datetime arithmetic
    (independently of the planner's epoch-second machinery). Failed pins never went out
    and do not count."""
    tz = ZoneInfo(rules.timezone)
    pins = [p for p in calendar.pins if not p.failed]
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


def everything(result: Calendar, queue: tuple[CalendarPin, ...]) -> Calendar:
    """The calendar with the projected queue on it: the projection keeps the rules too."""
    return replace(result, pins=(*result.pins, *queue))


NOW = datetime(2026, 11, 18, 11, 6, 40, tzinfo=UTC)


def utc_span(zone: Zone, day: date) -> list[tuple[str, str]]:
    return [
        (
            datetime.fromtimestamp(a, UTC).strftime("%H:%M"),
            datetime.fromtimestamp(b, UTC).strftime("%H:%M"),
        )
        for a, b in zone.spans(day)
    ]


# --- Rule 4: windows in the IANA zone, DST-correct -------------------------------------------


@pytest.mark.parametrize(
    ("tz", "windows", "day", "spans"),
    [
        # Berlin spring forward: 02:00 CET jumps to 03:00 CEST; 02:xx does not exist.
        ("Europe/Berlin", ["01:30-03:30"], date(2027, 3, 28), [("00:30", "01:30")]),
        # Berlin fall back: 02:00-03:00 happens twice, first in CEST, then in CET.
        ("Europe/Berlin", ["02:00-03:00"], date(2027, 10, 31), [("00:00", "02:00")]),
        # New York spring forward: a 02:00-03:00 window is empty that day.
        ("America/New_York", ["02:00-03:00"], date(2027, 3, 14), []),
        ("America/New_York", ["01:00-02:00"], date(2026, 11, 1), [("05:00", "07:00")]),
        ("Europe/Berlin", ["08:00-11:00"], date(2027, 3, 27), [("07:00", "10:00")]),
        ("Europe/Berlin", ["08:00-11:00"], date(2027, 3, 28), [("06:00", "09:00")]),
        ("Australia/Lord_Howe", ["01:00-03:00"], date(2027, 4, 4), [("14:00", "16:30")]),
    ],
)
def test_a_days_windows_follow_local_time_across_dst(
    tz: str, windows: list[str], day: date, spans: list[tuple[str, str]]
) -> None:
    assert utc_span(Zone(rules(timezone=tz, windows=windows)), day) == spans


def test_pins_go_only_where_the_local_windows_are_on_a_dst_day() -> None:
    ny = rules(start=date(2027, 3, 14), windows=["02:00-03:00"], timezone="America/New_York")
    result = plan(specs_for(["only"]), ny, None, datetime(2027, 3, 13, tzinfo=UTC)).calendar
    assert local(result.pins[0], "America/New_York").date() == date(2027, 3, 15)

    # Berlin's repeated hour holds room for twice the pins of a plain hour.
    fall = rules(start=date(2027, 10, 31), windows=["02:00-03:00"], min_gap=timedelta(minutes=20))
    now = datetime(2027, 10, 30, tzinfo=UTC)
    result = plan(specs_for(f"p{i}" for i in range(20)), fall, None, now).calendar
    assert broken_rules(result, fall, now, [p.id for p in result.pins]) == []
    first = [p for p in result.pins if local(p).date() == date(2027, 10, 31)]
    assert {local(p).utcoffset() for p in first} == {timedelta(hours=2), timedelta(hours=1)}
    assert 3 <= len(first) <= 6


# --- Rule 1: the daily cap with the warm-up ---------------------------------------------------


def test_daily_cap_ramps_up_from_one_over_the_warmup_from_start() -> None:
    r = rules(start=date(2026, 12, 1), max_per_day=5, warmup_days=14, min_gap=timedelta(hours=1))
    now = datetime(2026, 11, 30, 22, 59, tzinfo=UTC)  # a minute before the start, in Berlin
    result = plan(specs_for(f"p{i:03d}" for i in range(120)), r, None, now)
    per_day = Counter(local(p).date() for p in result.calendar.pins)
    counts = [per_day[date(2026, 12, 1) + timedelta(days=k)] for k in range(14)]
    assert counts == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4]
    assert not per_day.keys() - {date(2026, 12, 1) + timedelta(days=k) for k in range(14)}
    assert len(result.queue) == 120 - sum(counts)


def test_warmup_zero_means_the_full_cap_from_the_first_day() -> None:
    r = rules(start=date(2026, 12, 1), max_per_day=3)
    now = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    # The first day is today for a build at midnight: no room is kept for fresh posts.
    result = plan(specs_for(f"p{i}" for i in range(7)), r, None, now).calendar
    per_day = Counter(local(p).date() for p in result.pins)
    assert per_day[date(2026, 12, 1)] == 3


def test_warmup_is_anchored_at_the_calendar_start_not_at_now() -> None:
    existing = Calendar(timezone="Europe/Berlin", start=date(2026, 1, 1), pins=())
    r = rules(start=date(2026, 12, 1), max_per_day=5, warmup_days=14)
    result = plan(specs_for(f"p{i}" for i in range(30)), r, existing, NOW).calendar
    assert result.start == date(2026, 1, 1)
    # The calendar began long ago: its start stays, the warm-up is over.
    assert Counter(local(p).date() for p in result.pins)[date(2026, 12, 2)] == 4


# --- Rules 2 and 3: gaps -------------------------------------------------------------------


def test_min_gap_and_link_gap_hold_for_every_new_pin() -> None:
    r = rules(
        windows=["08:00-11:00", "19:00-22:00"],
        min_gap=timedelta(minutes=90),
        link_gap=timedelta(days=3),
        max_per_day=5,
    )
    specs = [
        spec(f"p{i:02d}", k, day=date(2026, 1, 1) + timedelta(days=i))
        for i in range(12)
        for k in (1, 2, 3)
    ]
    result = plan(specs, r, None, NOW)
    whole = everything(result.calendar, result.queue)
    assert broken_rules(whole, r, NOW, [p.id for p in whole.pins]) == []
    days = [local(p).date() for p in whole.pins if p.post.endswith("p00.md")]
    assert len(days) == 3 and all((b - a).days >= 3 for a, b in pairwise(days))


# --- The plan: window, queue and order ------------------------------------------------------


def test_the_calendar_holds_only_the_window_and_the_rest_is_a_projected_queue() -> None:
    r = rules(max_per_day=2, horizon_days=7)
    specs = specs_for([f"p{i:02d}" for i in range(30)], pins=2)
    result = plan(specs, r, None, NOW)
    end = NOW + timedelta(days=7)
    assert result.calendar.pins and all(NOW <= p.publish_at < end for p in result.calendar.pins)
    # Projected into the room kept for fresh posts (the backlog takes it on the day) and on.
    assert all(p.publish_at >= NOW for p in result.queue)
    assert result.queue[-1].publish_at >= end
    ids = [p.id for p in (*result.calendar.pins, *result.queue)]
    assert sorted(ids) == sorted(s.id for s in specs)
    whole = everything(result.calendar, result.queue)
    assert broken_rules(whole, r, NOW, ids) == []


def test_first_pins_newest_post_first_then_variants_round_robin_then_evergreen() -> None:
    r = rules(start=date(2026, 12, 1), max_per_day=1, evergreen_after=timedelta(days=30))
    old = datetime(2026, 6, 1, 9, tzinfo=BERLIN)
    done = [
        replace(
            _pin(spec("done", i, day=date(2025, 1, 1))),
            status="published",
            publish_at=old + timedelta(days=i),
        )
        for i in (1, 2)
    ]
    existing = Calendar("Europe/Berlin", date(2026, 1, 1), tuple(done))
    specs = [spec("old", i, day=date(2026, 1, 1)) for i in (1, 2)]
    specs += [spec("new", i, day=date(2026, 11, 1)) for i in (1, 2)]
    specs += [spec("done", i, day=date(2025, 1, 1)) for i in (1, 2, 3)]  # #3: evergreen
    result = plan(specs, r, existing, NOW)
    order = [p.id.removeprefix("blog/posts/") for p in (*result.calendar.pins, *result.queue)]
    assert order[:2] == ["done.md#1", "done.md#2"]  # published long ago
    assert order[2:] == ["new.md#1", "old.md#1", "new.md#2", "old.md#2", "done.md#3"]


def _pin(s: PinSpec, at: datetime = NOW) -> CalendarPin:
    from mkdocs_pinplan.model import pin_from_spec

    return pin_from_spec(s, at)


def test_new_pins_are_never_before_now_nor_before_start() -> None:
    now = datetime(2026, 12, 5, 9, 40, 30, tzinfo=UTC)  # 10:40:30 in Berlin, inside the window
    r = rules(start=date(2026, 12, 1), windows=["08:00-11:00"], horizon_days=1)
    result = plan(specs_for(["a", "b"]), r, None, now).calendar
    assert result.start == date(2026, 12, 1)
    assert datetime(2026, 12, 5, 10, 41, tzinfo=BERLIN) <= result.pins[0].publish_at
    assert result.pins[0].publish_at < datetime(2026, 12, 5, 11, tzinfo=BERLIN)

    later = rules(start=date(2027, 1, 10))
    result = plan(specs_for(["a"]), later, None, NOW)
    assert result.calendar.pins == () and local(result.queue[0]).date() == date(2027, 1, 10)


def test_first_calendar_starts_the_day_after_now_without_a_configured_start() -> None:
    result = plan(specs_for(["a"]), rules(), None, NOW).calendar
    assert result.start == date(2026, 11, 19)
    assert local(result.pins[0]).date() == date(2026, 11, 19)


# --- Fresh posts first ------------------------------------------------------------------------


def test_past_the_warmup_a_fresh_post_gets_a_pin_within_two_days_though_the_backlog_waits() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 1, 1), horizon_days=7)
    backlog = [
        spec(f"b{i:02d}", k, day=date(2025, 1, 1) + timedelta(days=i))
        for i in range(40)
        for k in (1, 2, 3)
    ]
    # The newest post went out first (as the plan orders it); the rest wait.
    pinned = [
        replace(_pin(backlog[-3], datetime(2026, 11, 1, 9, tzinfo=BERLIN)), status="published")
    ]
    existing = Calendar("Europe/Berlin", date(2026, 1, 1), tuple(pinned))
    first = plan(backlog, r, existing, NOW)
    assert len(first.queue) > 50  # the window is full of backlog
    # Every day after today keeps room: a day later, a fresh post is pinned within 48 h.
    later = NOW + timedelta(hours=20)
    out = replace(
        first.calendar,
        pins=tuple(
            replace(p, status="published") if p.publish_at < later else p
            for p in first.calendar.pins
        ),
    )
    fresh = [spec("fresh", k, day=date(2026, 11, 19)) for k in (1, 2, 3)]
    second = plan([*backlog, *fresh], r, out, later)
    kept = {p.id: p.publish_at for p in out.pins}
    assert {p.id: p.publish_at for p in second.calendar.pins if p.id in kept} == kept
    mine = next(p for p in second.calendar.pins if p.id == "blog/posts/fresh.md#1")
    assert later <= mine.publish_at <= later + timedelta(hours=48)
    assert broken_rules(second.calendar, r, later, [mine.id]) == []


# --- Missed, failed, migrated ------------------------------------------------------------------


def test_a_missed_pin_goes_back_to_the_queue_and_is_placed_again_after_now() -> None:
    r = rules(horizon_days=3)
    first = plan(specs_for(["a", "b"]), r, None, NOW).calendar
    late = NOW + timedelta(days=2)
    result = plan(specs_for(["a", "b"]), r, first, late)
    for before in first.pins:
        after = next(p for p in (*result.calendar.pins, *result.queue) if p.id == before.id)
        if before.publish_at < late - timedelta(hours=1):
            assert after.publish_at >= late  # missed: a new slot, never before now
        else:
            assert after.publish_at == before.publish_at


def test_a_pin_less_than_an_hour_late_is_not_missed_yet() -> None:
    r = rules()
    first = plan(specs_for(["a"]), r, None, NOW).calendar
    soon = first.pins[0].publish_at + timedelta(minutes=59)
    assert plan(specs_for(["a"]), r, first, soon).calendar == first


def test_a_failed_pin_stays_until_its_post_changes_and_does_not_count_for_spacing() -> None:
    r = rules(min_gap=timedelta(hours=2), max_per_day=1)
    at = datetime(2026, 11, 19, 9, tzinfo=BERLIN)
    failed = replace(_pin(spec("a"), at), status="failed", error="Sorry, this pin is spam")
    existing = Calendar("Europe/Berlin", date(2026, 11, 19), (failed,))
    result = plan(specs_for(["a", "b"]), r, existing, NOW).calendar
    assert failed in result.pins
    b = next(p for p in result.pins if p.post.endswith("b.md"))
    assert local(b).date() == date(2026, 11, 19)  # the failed pin took no room
    changed = plan([spec("a", title="Better"), spec("b")], r, existing, NOW)
    again = [p for p in (*changed.calendar.pins, *changed.queue) if p.id == failed.id]
    assert len(again) == 1 and again[0].status == "scheduled" and again[0].title == "Better"


def test_an_old_calendar_planned_months_ahead_keeps_the_window_and_requeues_the_rest() -> None:
    r = rules(max_per_day=1, horizon_days=7)
    specs = specs_for([f"p{i:02d}" for i in range(40)])
    far = plan(specs, replace(r, horizon_days=14), None, NOW).calendar
    months = replace(
        far,
        pins=tuple(
            replace(p, publish_at=p.publish_at + timedelta(days=30 * (i % 3)))
            for i, p in enumerate(far.pins)
        ),
    )
    result = plan(specs, r, months, NOW)
    end = NOW + timedelta(days=7)
    inside = {p.id: p.publish_at for p in months.pins if p.publish_at < end}
    assert {p.id: p.publish_at for p in result.calendar.pins if p.id in inside} == inside
    assert all(p.publish_at < end for p in result.calendar.pins)
    assert result.returned == sum(1 for p in months.pins if p.publish_at >= end)


# --- Rule 7: human rhythm ---------------------------------------------------------------------


def test_minutes_spread_over_both_windows_in_proportion_and_not_at_their_openings() -> None:
    r = Rules(
        timezone="Europe/Berlin",
        start=date(2026, 1, 1),
        windows=parse_windows(["08:00-11:00", "19:00-21:00"]),
    )
    result = plan(specs_for([f"p{i:03d}" for i in range(300)]), r, None, NOW)
    pins = (*result.calendar.pins, *result.queue)
    minutes = [local(p).hour * 60 + local(p).minute for p in pins]
    morning = [m - 480 for m in minutes if m < 12 * 60]
    evening = [m - 1140 for m in minutes if m >= 12 * 60]
    assert abs(len(morning) / len(pins) - 0.6) < 0.6 * 0.25
    assert ks_uniform(morning, 180) <= 0.25 and ks_uniform(evening, 120) <= 0.25
    assert sum(1 for m in morning if m < 20) / len(morning) < 0.25


def ks_uniform(values: list[int], span: int) -> float:
    """Kolmogorov-Smirnov distance between ``values`` (minutes into a window of ``span``
    minutes) and the even spread over it."""
    ordered = sorted(values)
    n = len(ordered)
    return max(
        max((i + 1) / n - (v + 1) / span, (v + 1) / span - i / n) for i, v in enumerate(ordered)
    )


# --- Rules 5 and 6: determinism and stability ---------------------------------------------


def test_replanning_the_same_inputs_gives_the_same_bytes() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))
    specs = specs_for([f"p{i}" for i in range(12)], pins=3)
    first = plan(specs, r, None, NOW)
    assert plan(list(reversed(specs)), r, None, NOW) == first
    again = plan(specs, r, first.calendar, NOW + timedelta(hours=5))
    assert dumps(again.calendar) == dumps(first.calendar)


def test_existing_pins_keep_their_slots_and_new_ones_fill_free_slots() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 11, 1), warmup_days=0)
    specs = specs_for(["a", "b", "c"], pins=2)
    first = plan(specs, r, None, NOW).calendar
    added = [*specs, *specs_for(["d"], pins=2)]
    later = NOW + timedelta(days=3)
    second = plan(added, r, first, later).calendar
    before = {p.id: p.publish_at for p in first.pins if p.publish_at >= later}
    assert {p.id: p.publish_at for p in second.pins if p.id in before} == before
    new = [p.id for p in second.pins if p.id not in {q.id for q in first.pins}]
    assert "blog/posts/d.md#1" in new
    assert broken_rules(second, r, later, new) == []


def test_deleted_posts_and_drafts_are_dropped_unless_published() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 11, 1), link_gap=timedelta(hours=1))
    first = plan(specs_for(["a", "b"], pins=2), r, None, NOW).calendar
    published_id = "blog/posts/b.md#1"
    marked = replace(
        first,
        pins=tuple(
            replace(p, status="published") if p.id == published_id else p for p in first.pins
        ),
    )
    second = plan(specs_for(["a"], pins=2), r, marked, NOW).calendar
    ids = [p.id for p in second.pins]
    assert published_id in ids and "blog/posts/b.md#2" not in ids
    assert next(p for p in second.pins if p.id == published_id) == next(
        p for p in marked.pins if p.id == published_id
    )


def test_a_changed_headline_keeps_the_slot_but_a_published_pin_keeps_its_text() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 11, 1))
    first = plan(specs_for(["a", "b"]), r, None, NOW).calendar
    marked = replace(
        first,
        pins=tuple(
            replace(p, status="published") if p.post.endswith("b.md") else p for p in first.pins
        ),
    )
    edited = [spec("a", title="A better headline"), spec("b", title="Also new")]
    second = plan(edited, r, marked, NOW).calendar
    a_old, b_old = (next(p for p in marked.pins if p.post.endswith(f"{n}.md")) for n in "ab")
    a_new, b_new = (next(p for p in second.pins if p.post.endswith(f"{n}.md")) for n in "ab")
    assert a_new.publish_at == a_old.publish_at and a_new.title == "A better headline"
    assert b_new == b_old and b_new.title != "Also new"


def test_a_hand_placed_pin_in_an_illegal_slot_is_kept_avoided_and_reported() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 11, 19))
    first = plan(specs_for(["a"]), r, None, NOW).calendar
    illegal = datetime(2026, 11, 19, 3, 0, tzinfo=BERLIN)  # outside the windows
    edited = replace(first, pins=(replace(first.pins[0], publish_at=illegal),))
    second = plan(specs_for(["a", "b"]), r, edited, NOW).calendar
    assert second.pins[0].publish_at == illegal
    found = violations(second, r)
    assert [(v.pin_id, v.rule) for v in found] == [("blog/posts/a.md#1", "windows")]
    assert "outside the windows 08:00-11:00, 19:00-22:00" in str(found[0])
    # Published pins are history, failed ones never went out: not reported.
    done = replace(second, pins=tuple(replace(p, status="published") for p in second.pins))
    assert violations(done, r) == []
    gone = replace(second, pins=tuple(replace(p, status="failed") for p in second.pins))
    assert violations(gone, r) == []


def test_violations_reports_each_rule() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1), max_per_day=1, warmup_days=0)
    base = plan(specs_for(["a"], pins=2), rules(), None, NOW).calendar
    crowded = replace(
        base,
        start=date(2026, 12, 1),
        pins=(
            replace(base.pins[0], publish_at=datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN)),
            replace(base.pins[1], publish_at=datetime(2026, 12, 2, 9, 30, tzinfo=BERLIN)),
        ),
    )
    assert {v.rule for v in violations(crowded, r)} == {"max_per_day", "min_gap", "link_gap"}
    assert violations(plan(specs_for(["a"], pins=2), r, None, NOW).calendar, r) == []


def test_rule_changes_keep_existing_pins_where_they_are() -> None:
    r = Rules(timezone="Europe/Berlin", start=date(2026, 11, 1))
    first = plan(specs_for(["a", "b", "c"]), r, None, NOW).calendar
    stricter = replace(r, windows=parse_windows(["20:00-21:00"]), timezone="America/New_York")
    second = plan(specs_for(["a", "b", "c"]), stricter, first, NOW).calendar
    assert [p.publish_at for p in second.pins] == [p.publish_at for p in first.pins]
    assert second.timezone == "America/New_York"
    assert all(p.publish_at.utcoffset() == timedelta(hours=-5) for p in second.pins)


# --- Evergreen ------------------------------------------------------------------------------


def test_evergreen_variants_are_asked_for_posts_whose_pins_are_all_out_and_old() -> None:
    r = Rules(evergreen_after=timedelta(days=90))
    specs = [spec(p, i) for p in ("old", "recent", "busy") for i in (1, 2)]
    long_ago = datetime(2026, 6, 1, 9, tzinfo=UTC)
    pins = [
        replace(_pin(s, long_ago + timedelta(days=s.index * 3)), status="published") for s in specs
    ]
    pins[3] = replace(pins[3], publish_at=NOW - timedelta(days=10))  # recent#2
    pins[5] = replace(pins[5], status="scheduled")  # busy#2
    extra = replace(_pin(spec("old", 3), long_ago), status="published")
    calendar = Calendar("UTC", date(2026, 1, 1), (*pins, extra))
    assert evergreen_variants(specs, calendar, r, NOW) == {"blog/posts/old.md": 2}
    assert evergreen_variants(specs, replace(calendar, pins=tuple(pins)), r, NOW) == {
        "blog/posts/old.md": 1
    }
    off = replace(r, evergreen_after=timedelta(0))
    assert evergreen_variants(specs, calendar, off, NOW) == {"blog/posts/old.md": 1}
