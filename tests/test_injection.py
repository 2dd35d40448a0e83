"""Hostile titles go through every output and come out as harmless text."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import icalendar
from PIL import Image

from mkdocs_pinplan.calendar_file import read_calendar
from mkdocs_pinplan.export import export_csv, export_ics
from mkdocs_pinplan.model import Rules
from mkdocs_pinplan.preview import render_preview

from conftest import FIXED_NOW, Builder

HOSTILE = """---
title: "<script>alert('t')</script>Tips &amp; Tricks"
description: "=HYPERLINK(\\"https://evil.example\\",\\"click\\")"
date: 2026-11-21
pinplan:
  titles:
    - "<img src=x onerror=alert(1)>Pins &amp; \\"quotes\\""
    - "=HYPERLINK(\\"https://evil.example\\",\\"click\\")"
    - "Line one\\nline two\\r\\nBEGIN:VEVENT"
    - "Ping 🚀 \\u202Egnp.exe\\u202C done"
    - "+1 tip; @everyone -minus"
  pins: 5
  keywords: ["=cmd|' /C calc'!A0", "ok"]
---

# Hostile post

Body.
"""


def test_hostile_titles_are_safe_in_every_output(site_copy: Path, mkdocs_build: Builder) -> None:
    post = site_copy / "docs" / "blog" / "posts" / "hostile.md"
    post.write_text(HOSTILE, encoding="utf-8")
    # Room for every pin inside the 7-day window, so each one reaches the calendar.
    config = site_copy / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for old, new in [
        ("max_per_day: 5", "max_per_day: 20"),
        ("min_gap: 90m", "min_gap: 1m"),
        ("link_gap: 3d", "link_gap: 1m"),
        ("warmup_days: 14", "warmup_days: 0"),
    ]:
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    # Not --strict: the emoji has no glyph in Manrope, which is (rightly) a warning.
    result = mkdocs_build(site_copy, strict=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    calendar = read_calendar(site_copy / "pinplan" / "calendar.json")
    assert calendar is not None
    pins = [p for p in calendar.pins if p.post == "blog/posts/hostile.md"]
    assert len(pins) == 5
    for pin in pins:
        for text in (pin.title, pin.description, pin.alt_text):
            assert "<" not in text and ">" not in text
            assert "\n" not in text and "\r" not in text
            assert "\u202e" not in text
        with Image.open(site_copy / "site" / pin.image) as image:
            assert image.size == (1000, 1500) and image.mode == "RGB"
    assert any(p.title.startswith("=HYPERLINK") for p in pins)

    # CSV: every cell a spreadsheet would run as a formula starts with a quote instead.
    (text,) = export_csv(pins)
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + len(pins)
    for cells in rows[1:]:
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(cell.startswith("'=HYPERLINK") for cells in rows for cell in cells)

    # ICS: parses back into exactly one event per pin; no injected BEGIN:VEVENT line.
    ics = export_ics(pins, stamp=FIXED_NOW)
    parsed = icalendar.Calendar.from_ical(ics)
    events = [c for c in parsed.walk() if c.name == "VEVENT"]
    assert len(events) == len(pins)
    lines = ics.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == len(pins)
    assert all(b"\n" not in line and b"\r" not in line for line in lines)

    # Preview: markup in titles is escaped, never live.
    page = render_preview(calendar, Rules(timezone="Europe/Berlin"), now=FIXED_NOW)
    assert "<img src=x" not in page and "<script>alert" not in page
    built = (site_copy / "site" / "pinplan" / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in built and "<script>alert" not in built
    assert "Pins &amp; &#34;quotes&#34;" in built or "Pins &amp; &quot;quotes&quot;" in built

    # The calendar file itself stays valid JSON with the text intact.
    data = json.loads((site_copy / "pinplan" / "calendar.json").read_text(encoding="utf-8"))
    titles = {p["title"] for p in data["pins"]}
    assert any('Pins & "quotes"' in t for t in titles)
    assert all(FIXED_NOW < p.publish_at < FIXED_NOW + timedelta(days=400) for p in calendar.pins)
