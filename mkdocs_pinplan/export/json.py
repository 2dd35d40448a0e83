"""The due pins as JSON, for uploaders that prefer it to CSV (e.g. one using the API)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timezone
from typing import Any

from ..calendar_file import pin_to_dict
from ..model import Calendar, CalendarPin


def export_json(calendar: Calendar, pins: Sequence[CalendarPin]) -> str:
    """Deterministic JSON: the calendar's zone and ``pins`` as in the calendar file, each
    with an extra ``publish_at_utc`` (``YYYY-MM-DDTHH:MM:SSZ``).
    """
    items: list[dict[str, Any]] = []
    for pin in pins:
        item = pin_to_dict(pin)
        item["publish_at_utc"] = pin.publish_at.astimezone(timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        items.append(item)
    data = {"version": calendar.version, "timezone": calendar.timezone, "pins": items}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
