"""Simulation: a blog of 60 posts lived through 90 days of daily builds.

Run ``python bench/simulate.py``. Each day, the uploader first records every pin that came
due since the day before as published (as an hourly ``pinplan publish`` would), then the
site is built (at a different hour each day): evergreen variants asked for, the pins made
with the real ``make_pin_specs``, the calendar planned. Fresh posts appear on days 20 and
50. It prints what a blogger would look at; ``tests/test_simulation.py`` holds the figures
to the issue's bounds.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs_pinplan.durations import parse_windows
from mkdocs_pinplan.model import Calendar, CalendarPin, PinSpec, Post, Rules
from mkdocs_pinplan.pins import PinSettings, make_pin_specs
from mkdocs_pinplan.schedule import evergreen_variants, plan

TZ = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2027, 1, 4)
RULES = Rules(
    timezone="Europe/Berlin",
    start=FIRST_DAY,
    windows=parse_windows(["08:00-11:00", "19:00-22:00"]),
    evergreen_after=timedelta(days=30),
)
DAYS = 90
FRESH_DAYS = (20, 50)


@dataclass
class Figures:
    """What the simulation measured."""

    fresh_hours: dict[str, float] = field(default_factory=dict)
    """Per fresh post: hours from the build that first saw it to its first pin."""
    published: list[CalendarPin] = field(default_factory=list)
    designs: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    """Per pin id: (headline, layout, palette background) of the variant."""
    evergreen: list[CalendarPin] = field(default_factory=list)
    """Published pins beyond their post's own pins."""
    most_ahead: float = 0.0
    """The furthest ahead, in days, any scheduled pin lay on the calendar after a build."""
    queue: list[int] = field(default_factory=list)
    """The queue's length after each day's build."""
    specs: dict[str, PinSpec] = field(default_factory=dict)


def blog(count: int = 60) -> list[Post]:
    """``count`` posts, one a week back from the first day, newest last."""
    return [
        Post(
            src_path=f"blog/posts/post-{n:02d}.md",
            title=f"Post number {n} about slow pinning",
            url=f"https://sim.example.com/post-{n:02d}/",
            slug=f"post-{n:02d}",
            description=f"What post {n} says.",
            date=FIRST_DAY - timedelta(weeks=count - n),
        )
        for n in range(count)
    ]


def fresh_post(day: int) -> Post:
    return Post(
        src_path=f"blog/posts/fresh-{day}.md",
        title=f"Written on day {day}",
        url=f"https://sim.example.com/fresh-{day}/",
        slug=f"fresh-{day}",
        description="A post written today.",
        date=FIRST_DAY + timedelta(days=day),
    )


def build_time(day: int) -> datetime:
    """Day ``day``'s build: at a different hour each day, in the blog's zone."""
    local = datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time(), TZ)
    return (local + timedelta(hours=(day * 7) % 24, minutes=13)).astimezone(timezone.utc)


def upload(calendar: Calendar, now: datetime) -> Calendar:
    """Every scheduled pin due by ``now`` recorded as published at its time."""
    return replace(
        calendar,
        pins=tuple(
            replace(p, status="published") if p.status == "scheduled" and p.publish_at <= now else p
            for p in calendar.pins
        ),
    )


def simulate(days: int = DAYS, posts: Sequence[Post] | None = None) -> Figures:
    """Live the blog through ``days`` daily builds; returns what was measured."""
    live = list(posts if posts is not None else blog())
    settings = PinSettings(site_url="https://sim.example.com/", pins_per_post=3)
    figures = Figures()
    calendar: Calendar | None = None
    seen_at: dict[str, datetime] = {}
    for day in range(days):
        now = build_time(day)
        if day in FRESH_DAYS:
            live.append(fresh_post(day))
        for post in live:
            seen_at.setdefault(post.src_path, now)
        if calendar is not None:
            calendar = upload(calendar, now)
        specs = make_pin_specs(live, settings)
        extra = evergreen_variants(specs, calendar, RULES, now)
        if extra:
            specs = make_pin_specs(live, settings, extra)
        figures.specs.update((s.id, s) for s in specs)
        result = plan(specs, RULES, calendar, now)
        calendar = result.calendar
        figures.queue.append(len(result.queue))
        ahead = [p.publish_at - now for p in calendar.pins if p.status == "scheduled"]
        figures.most_ahead = max([figures.most_ahead, *(a / timedelta(days=1) for a in ahead)])
    assert calendar is not None
    calendar = upload(calendar, build_time(days))
    figures.published = [p for p in calendar.pins if p.published]
    own = {post.src_path: 3 for post in live}
    for pin in figures.published:
        index = int(pin.id.rpartition("#")[2])
        if index > own[pin.post]:
            figures.evergreen.append(pin)
    for post in live:
        first = min(
            (p.publish_at for p in calendar.pins if p.post == post.src_path),
            default=None,
        )
        if post.src_path.startswith("blog/posts/fresh") and first is not None:
            figures.fresh_hours[post.src_path] = (first - seen_at[post.src_path]) / timedelta(
                hours=1
            )
    return figures


def window_figures(pins: Sequence[CalendarPin]) -> dict[str, tuple[float, float, float]]:
    """Per window: (its share of the pins, its share of window time, Kolmogorov-Smirnov
    distance of the pins' minutes from an even spread over the window)."""
    total = sum(w.end - w.start for w in RULES.windows)
    result: dict[str, tuple[float, float, float]] = {}
    for window in RULES.windows:
        span = window.end - window.start
        minutes = sorted(
            m - window.start for p in pins if window.start <= (m := _minute(p)) < window.end
        )
        result[str(window)] = (len(minutes) / len(pins), span / total, ks_uniform(minutes, span))
    return result


def _minute(pin: CalendarPin) -> int:
    local = pin.publish_at.astimezone(TZ)
    return local.hour * 60 + local.minute


def ks_uniform(values: Sequence[int], span: int) -> float:
    """Kolmogorov-Smirnov distance between sorted minute offsets ``values`` (in
    ``[0, span)``) and the even spread over the window's ``span`` minutes."""
    n = len(values)
    return max(
        max((i + 1) / n - (v + 1) / span, (v + 1) / span - i / n) for i, v in enumerate(values)
    )


def pixel_differences(figures: Figures, pin: CalendarPin) -> list[float]:
    """Mean difference per channel (of 255) between ``pin``'s image and each earlier image
    of its post, both rendered and shrunk to 100 x 150."""
    from PIL import ImageChops, ImageStat

    new = _small(figures.specs[pin.id])
    return [
        sum(ImageStat.Stat(ImageChops.difference(new, _small(figures.specs[p.id]))).mean) / 3
        for p in figures.published
        if p.post == pin.post and p.id != pin.id
    ]


def _small(spec: PinSpec) -> Any:
    import io

    from PIL import Image

    from mkdocs_pinplan.render.draw import render_pin

    with Image.open(io.BytesIO(render_pin(spec.design).data)) as image:
        return image.convert("RGB").resize((100, 150))


def after_warmup(pins: Sequence[CalendarPin]) -> list[CalendarPin]:
    return [
        p
        for p in pins
        if (p.publish_at.astimezone(TZ).date() - FIRST_DAY).days >= RULES.warmup_days
    ]


def main() -> int:
    figures = simulate()
    print(f"{DAYS} days, {len(figures.published)} pins published")
    for post, hours in figures.fresh_hours.items():
        print(f"fresh post {post}: first pin {hours:.1f} h after the build that saw it")
    for pin in figures.evergreen[:1]:
        print(
            f"mean pixel difference of {pin.id} to its post's earlier pins: "
            + ", ".join(f"{d:.0f}" for d in pixel_differences(figures, pin))
            + " (of 255)"
        )
    pins = after_warmup(figures.published)
    for window, (share, time_share, ks) in window_figures(pins).items():
        print(
            f"window {window}: {share:.1%} of {len(pins)} pins after warm-up "
            f"(its share of window time {time_share:.1%}); KS distance of minutes {ks:.3f}"
        )
    first = min((p.publish_at for p in figures.evergreen), default=None)
    print(
        f"evergreen pins published: {len(figures.evergreen)}"
        + (f", the first on {first.astimezone(TZ).date()}" if first else "")
    )
    for pin in figures.evergreen[:5]:
        design = figures.specs[pin.id].design
        earlier = [
            figures.specs[p.id].design
            for p in figures.published
            if p.post == pin.post and p.publish_at < pin.publish_at
        ]
        same = sum(d.layout == design.layout and d.palette == design.palette for d in earlier)
        print(
            f"  {pin.id}: layout {design.layout.name}, background {design.palette.background}; "
            f"earlier pins of the post with that layout and palette: {same}"
        )
    print(f"furthest ahead a scheduled pin lay: {figures.most_ahead:.1f} days")
    print(
        f"queue after the builds of days 0, 20, 50, {DAYS - 1}: "
        + ", ".join(str(figures.queue[d]) for d in (0, 20, 50, DAYS - 1))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
