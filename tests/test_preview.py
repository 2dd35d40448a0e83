"""The preview page as a user reads it: pins by local day, the cap ramp, escaping, statuses."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from preview_dom import Element, parse

from mkdocs_pinplan.model import Calendar, CalendarPin, Post, Rules
from mkdocs_pinplan.preview import PREVIEW_PATH, PinInfo, render_preview, write_preview

BERLIN = ZoneInfo("Europe/Berlin")
START = date(2026, 12, 1)
RULES = Rules(timezone="Europe/Berlin", max_per_day=5, warmup_days=14, horizon_days=7)


def make_pin(
    n: int,
    at: datetime,
    *,
    post: str = "blog/posts/a.md",
    title: str | None = None,
    status: str = "scheduled",
    link: str | None = None,
    board: str = "Blog",
) -> CalendarPin:
    slug = Path(post).stem
    return CalendarPin(
        id=f"{post}#{n}",
        post=post,
        link=link or f"https://example.com/{slug}/?utm_content=pin{n}",
        image=f"assets/pinplan/{slug}-{n}.jpg",
        media_url=f"https://example.com/assets/pinplan/{slug}-{n}.jpg",
        title=title or f"Headline {slug} {n}",
        description="A description.",
        alt_text=f"Alt text {n}",
        board=board,
        keywords=("k",),
        publish_at=at,
        status=status,
    )


def berlin(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def calendar_of(*pins: CalendarPin, start: date = START) -> Calendar:
    return Calendar(timezone="Europe/Berlin", start=start, pins=pins)


def pin_items(page: Element) -> list[Element]:
    return page.find_all("li", "pin")


def day_section(page: Element, key: str) -> Element:
    sections = [s for s in page.find_all("section", "day") if s.attrs.get("id") == f"day-{key}"]
    assert sections, f"no day section for {key}"
    return sections[0]


def month_cell(page: Element, key: str) -> Element:
    cells = [td for td in page.find_all("td") if td.attrs.get("data-date") == key]
    assert len(cells) == 1, f"expected one month cell for {key}"
    return cells[0]


def test_pins_are_grouped_by_day_in_the_calendars_time_zone() -> None:
    # 23:30 UTC on 2 Dec is 00:30 on 3 Dec in Berlin: it belongs to the 3rd.
    late = make_pin(2, datetime(2026, 12, 2, 23, 30, tzinfo=timezone.utc), post="blog/posts/b.md")
    first = make_pin(1, berlin(1, 8, 17))
    published = make_pin(3, berlin(3, 9, 5), post="blog/posts/c.md", status="published")
    page = parse(render_preview(calendar_of(first, late, published), RULES))

    days = [s.attrs["id"] for s in page.find_all("section", "day")]
    assert days == ["day-2026-12-01", "day-2026-12-03"]
    third = day_section(page, "2026-12-03")
    times = [item.find("time").text for item in pin_items(third)]
    assert times == ["00:30", "09:05"]
    statuses = [item.find("span", "badge").text for item in pin_items(third)]
    assert statuses == ["scheduled", "published"]


def test_each_pin_shows_thumbnail_headline_board_and_link() -> None:
    pin = make_pin(1, berlin(1, 8, 17), board="Bloggen & Gründen")
    page = parse(render_preview(calendar_of(pin), RULES, info={pin.id: PinInfo("Post A")}))

    (item,) = pin_items(page)
    img = item.find("img")
    # The page lives at pinplan/index.html, so site-relative images are one folder up.
    assert img.attrs["src"] == "../assets/pinplan/a-1.jpg"
    assert img.attrs["alt"] == "Alt text 1"
    assert item.find("h3").text == "Headline a 1"
    assert item.find("p", "board").text == "Board Bloggen & Gründen"
    assert item.find("p", "post").text == "Post Post A"
    link = item.find("a")
    assert link.attrs["href"] == "https://example.com/a/?utm_content=pin1"
    assert item.find("code").text == "blog/posts/a.md#1"
    assert item.attrs["data-status"] == "scheduled"


def test_page_is_noindex_phone_sized_and_self_contained() -> None:
    page = parse(render_preview(calendar_of(make_pin(1, berlin(1, 9))), RULES))

    metas = {m.attrs.get("name"): m.attrs.get("content") for m in page.find_all("meta")}
    assert metas["robots"] == "noindex"
    assert "width=device-width" in (metas["viewport"] or "")
    # No stylesheet, script or font is fetched from anywhere: everything is inline.
    assert all(not s.attrs.get("src") for s in page.find_all("script"))
    assert [link.attrs.get("href") for link in page.find_all("link")] == ["data:,"]
    assert "@import" not in page.find("style").text
    assert "url(" not in page.find("style").text


def test_month_view_shows_the_warmup_ramp_of_daily_caps() -> None:
    pins = (make_pin(1, berlin(1, 9)), make_pin(2, berlin(8, 9), post="blog/posts/b.md"))
    page = parse(render_preview(calendar_of(*pins), RULES))

    # cap = 1 + floor((5 - 1) * k / 14) for day index k < 14, then 5.
    expected = {"2026-12-01": 1, "2026-12-04": 1, "2026-12-05": 2, "2026-12-08": 3}
    expected |= {"2026-12-14": 4, "2026-12-15": 5, "2026-12-31": 5}
    for key, cap in expected.items():
        assert month_cell(page, key).attrs["data-cap"] == str(cap), key
    assert month_cell(page, "2026-12-01").attrs["data-count"] == "1"
    assert month_cell(page, "2026-12-08").attrs["data-count"] == "1"
    assert month_cell(page, "2026-12-02").attrs["data-count"] == "0"
    assert "1/3" in month_cell(page, "2026-12-08").text
    for td in page.find_all("td"):
        if "data-date" in td.attrs:
            k = (date.fromisoformat(td.attrs["data-date"]) - START).days
            assert td.attrs["data-cap"] == str(RULES.cap(k))


def test_month_view_reaches_past_the_end_of_the_warmup_into_the_next_month() -> None:
    start = date(2026, 12, 25)
    page = parse(render_preview(calendar_of(start=start), RULES))

    captions = [c.text for c in page.find_all("caption")]
    assert captions == ["December 2026", "January 2027"]
    # Days before the calendar's start have no cap: nothing may go out then.
    assert month_cell(page, "2026-12-24").attrs["data-cap"] == ""
    assert month_cell(page, "2027-01-07").attrs["data-cap"] == str(RULES.cap(13))
    assert "No pins on the calendar yet" in page.find("p", "empty").text


def test_a_day_over_its_cap_is_flagged() -> None:
    # Possible when the rules tighten after pins were placed: placed pins never move.
    pins = (make_pin(1, berlin(1, 8)), make_pin(2, berlin(1, 20), post="blog/posts/b.md"))
    page = parse(render_preview(calendar_of(*pins), RULES))

    assert "over" in month_cell(page, "2026-12-01").classes
    assert "over" in day_section(page, "2026-12-01").classes
    assert "2 pins of 1" in day_section(page, "2026-12-01").find("h2").text


def test_hostile_titles_are_escaped_and_shown_verbatim() -> None:
    nasty = [
        '</script><script>alert("pwned")</script>',
        "Tom &amp; Jerry & \"double\" and 'single' quotes",
        "\u202eevil right-to-left \u200fmark",
        "Emoji 📌🎉 and <b>bold</b>",
    ]
    pins = [
        make_pin(i, berlin(1 + 2 * i, 9), post=f"blog/posts/p{i}.md", title=title)
        for i, title in enumerate(nasty)
    ]
    pins.append(make_pin(9, berlin(12, 9), post="blog/posts/x.md", link="javascript:alert(1)"))
    info = {pins[0].id: PinInfo(post_title='"><img src=x onerror=alert(1)></option>')}
    html = render_preview(
        calendar_of(*pins), RULES, info=info, site_name="<img src=x onerror=alert(2)>"
    )
    page = parse(html)

    assert len(page.find_all("script")) == 1, "a title opened a script element"
    assert not [e for e in page.iter() if any(a.startswith("on") for a in e.attrs)]
    assert not page.find_all("b")
    assert [item.find("h3").text for item in pin_items(page)][:4] == [
        " ".join(t.split()) for t in nasty
    ]
    assert "Tom &amp;amp; Jerry" in html
    options = [o.text for o in page.find("select").find_all("option")]
    assert '"><img src=x onerror=alert(1)></option>' in options
    assert page.find("title").text == "Pin plan · <img src=x onerror=alert(2)>"
    hrefs = [a.attrs.get("href", "") for a in page.find_all("a")]
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert "javascript:alert(1)" in pin_items(page)[-1].find("p", "link").text


def test_overdue_due_and_published_counts_follow_now() -> None:
    pins = (
        make_pin(1, berlin(1, 9)),
        make_pin(2, berlin(1, 20), post="blog/posts/b.md", status="published"),
        make_pin(3, berlin(4, 9), post="blog/posts/c.md"),
        make_pin(4, berlin(20, 9), post="blog/posts/d.md"),
    )
    now = berlin(2, 12)
    page = parse(render_preview(calendar_of(*pins), RULES, now=now))

    stats = {
        div.find("dt").text: div.find("dd").text for div in page.find("dl", "stats").find_all("div")
    }
    assert stats == {
        "Pins": "4",
        "Scheduled": "3",
        "Published": "1",
        "Queued": "0",
        "Due in 7 days": "1",
        "Overdue": "1",
    }
    overdue = [i.attrs["data-post"] for i in pin_items(page) if i.attrs["data-overdue"] == "true"]
    assert overdue == ["blog/posts/a.md"]
    assert "today" in month_cell(page, "2026-12-02").classes


def test_filters_list_every_post_once_by_title() -> None:
    pins = (
        make_pin(1, berlin(1, 9)),
        make_pin(2, berlin(5, 9)),
        make_pin(1, berlin(2, 9), post="blog/posts/b.md"),
    )
    info = {pins[0].id: PinInfo("Zebra post"), pins[1].id: PinInfo("Zebra post")}
    info[pins[2].id] = PinInfo("Apple post")
    page = parse(render_preview(calendar_of(*pins), RULES, info=info))

    select = next(s for s in page.find_all("select") if s.attrs.get("id") == "filter-post")
    options = [(o.attrs["value"], o.text) for o in select.find_all("option")]
    assert options == [
        ("", "All posts"),
        ("blog/posts/b.md", "Apple post"),
        ("blog/posts/a.md", "Zebra post"),
    ]


def test_live_banner_only_under_serve() -> None:
    cal = calendar_of(make_pin(1, berlin(1, 9)))
    assert parse(render_preview(cal, RULES, live=True)).find_all("p", "live")
    assert not parse(render_preview(cal, RULES, live=False)).find_all("p", "live")


def test_same_plan_gives_the_same_page() -> None:
    cal = calendar_of(make_pin(1, berlin(1, 9)), make_pin(2, berlin(4, 9)))
    now = berlin(1, 7)
    assert render_preview(cal, RULES, now=now) == render_preview(cal, RULES, now=now)


def test_write_preview_puts_the_page_in_the_site_and_marks_missing_images(tmp_path: Path) -> None:
    here = make_pin(1, berlin(1, 9))
    gone = make_pin(1, berlin(2, 9), post="blog/posts/gone.md", status="published")
    (tmp_path / here.image).parent.mkdir(parents=True)
    (tmp_path / here.image).write_bytes(b"jpeg")
    post = Post(src_path="blog/posts/a.md", title="Post A", url="https://example.com/a/", slug="a")

    target = write_preview(
        tmp_path, calendar_of(here, gone), RULES, posts=[post], now=berlin(1, 7) - timedelta(1)
    )

    assert target == tmp_path / PREVIEW_PATH
    page = parse(target.read_text(encoding="utf-8"))
    first, second = pin_items(page)
    assert first.find("img").attrs["src"] == "../assets/pinplan/a-1.jpg"
    assert first.find("p", "post").text == "Post Post A"
    assert not second.find_all("img")
    assert "Image not in this build" in second.text
    # Without a spec the post title is unknown: the post's path stands in.
    assert "blog/posts/gone.md" in second.find("p", "post").text


def test_a_long_running_plan_shows_recent_months_and_a_jump_to_today() -> None:
    # A calendar started in January with a published pin then; now is mid-December.
    old = make_pin(1, berlin(10, 9, month=1), post="blog/posts/old.md", status="published")
    soon = make_pin(1, berlin(20, 9))
    cal = calendar_of(old, soon, start=date(2026, 1, 5))
    page = parse(render_preview(cal, RULES, now=berlin(15, 12)))

    captions = [c.text for c in page.find_all("caption")]
    assert captions == ["November 2026", "December 2026"]
    jump = page.find("p", "jump").find("a")
    assert jump.attrs["href"] == "#day-2026-12-20"
    # Every pin is still listed, the old one too.
    assert len(pin_items(page)) == 2


def test_no_jump_link_when_the_plan_starts_in_the_future() -> None:
    page = parse(render_preview(calendar_of(make_pin(1, berlin(3, 9))), RULES, now=berlin(1, 7)))
    assert not page.find_all("p", "jump")


def test_the_queue_is_listed_after_the_calendar_with_projected_dates() -> None:
    calendar = calendar_of(make_pin(1, berlin(1, 9)), make_pin(1, berlin(2, 20), post="b.md"))
    queue = (
        make_pin(2, berlin(9, 10, 5)),
        make_pin(3, berlin(14, 19, 30)),
    )
    page = parse(render_preview(calendar, RULES, now=berlin(1, 6), queue=queue))
    (section,) = [s for s in page.find_all("section", "queue")]
    queued = pin_items(section)
    assert [item.attrs.get("data-status") for item in queued] == ["projected", "projected"]
    assert [i.find("code").text for i in queued] == ["blog/posts/a.md#2", "blog/posts/a.md#3"]
    # Each says it is projected and when: the date too, since the queue is not in days.
    assert all("projected" in item.text for item in queued)
    assert "Wed 2026-12-09 10:05" in queued[0].text
    assert "not on the calendar yet" in section.text
    # The days and the month view hold only the calendar's pins.
    days = [s for s in page.find_all("section", "day") if "queue" not in s.attrs.get("class", "")]
    assert sum(len(pin_items(day)) for day in days) == 2
    assert not [s for s in page.find_all("section", "day") if s.attrs.get("id") == "day-2026-12-09"]


def test_no_queue_no_queue_section() -> None:
    page = parse(render_preview(calendar_of(make_pin(1, berlin(1, 9))), RULES))
    assert not page.find_all("section", "queue")
