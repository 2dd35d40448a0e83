"""The raw Pillow floor: draw and encode the benchmark's pins in one process, nothing else.

Run by ``bench/run.py`` as ``python bench/floor.py JOBS.json OUT_DIR``. Each job is one pin
as the plugin would draw it, reduced to what any renderer must do: decode and crop the cover
photo when the pin's layout shows one, set the headline on a 1000×1500 canvas, add the site
name and encode a JPEG (or PNG) to a file. No text fitting, no glyph fallback, no cache.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

SIZE = (1000, 1500)


def wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    """Greedy line breaking by measured width."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if not line or draw.textlength(trial, font=font) <= width:
            line = trial
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def main(jobs_file: Path, out: Path) -> None:
    spec = json.loads(jobs_file.read_text(encoding="utf-8"))
    bold = ImageFont.truetype(spec["bold"], 96)
    regular = ImageFont.truetype(spec["regular"], 36)
    out.mkdir(parents=True, exist_ok=True)
    for n, job in enumerate(spec["jobs"]):
        if job["photo"]:
            with Image.open(job["photo"]) as photo:
                photo.draft("RGB", SIZE)
                canvas = ImageOps.fit(photo.convert("RGB"), SIZE)
        else:
            canvas = Image.new("RGB", SIZE, "#1f3a4d")
        draw = ImageDraw.Draw(canvas)
        y = 420
        for line in wrap(draw, job["headline"], bold, 840):
            draw.text((80, y), line, font=bold, fill="#f4efe6")
            y += 115
        draw.text((80, 1380), "bench.example.com", font=regular, fill="#f4efe6")
        if job["format"] == "png":
            canvas.save(out / f"{n}.png", "PNG", compress_level=1)
        else:
            canvas.save(out / f"{n}.jpg", "JPEG", quality=job["quality"])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
