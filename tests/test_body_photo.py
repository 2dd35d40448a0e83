"""A photo for every post that has one: ``pinplan.image``, else the first local image in the
body, else Material's ``image`` / ``social`` front-matter; posts without one get no photo
layouts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS, resolve_layouts
from mkdocs_pinplan.model import Post
from mkdocs_pinplan.pins import PinSettings, make_pin_specs, works_without_photo
from mkdocs_pinplan.posts import PostReading, body_images, read_body, read_post
from mkdocs_pinplan.render.draw import compose

LEFT, RIGHT = (220, 40, 30), (30, 60, 210)


def two_tone(path: Path, size: tuple[int, int] = (900, 600)) -> Path:
    """A photo whose left half is red and right half blue: easy to recognise on a pin."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, LEFT)
    image.paste(RIGHT, (size[0] // 2, 0, size[0], size[1]))
    image.save(path)
    return path


def read(docs: Path, src: str, text: str, meta: dict[str, object] | None = None) -> PostReading:
    return read_post(
        src,
        meta or {},
        url="https://example.com/p/",
        docs_dir=docs,
        default_title="A post about pinning",
        default_slug="p",
        body=text,
    )


def test_body_images_come_in_reading_order_and_code_is_skipped() -> None:
    text = (
        "# Welcome to **our** blog { #top }\n\n"
        "We are *thrilled* to announce [Insiders](https://x.y) today. More follows.\n\n"
        "```python\n![not an image](code.png)\n```\n\n"
        "Some `![inline code](code2.png)` here.\n\n"
        "## What is new in 9.5\n\n"
        "!!! note\n    ![in a note](images/note.png){ width=300 }\n\n"
        '![logo][logo] and <img alt="x" src="/assets/a.png">\n\n'
        "## Getting started\n\n"
        '[logo]: ../images/Logo.PNG "Title"\n'
    )
    body = read_body(text)
    assert body_images(text) == ("images/note.png", "../images/Logo.PNG", "/assets/a.png")
    assert body.h1 == "Welcome to our blog"
    assert body.sections == ("What is new in 9.5", "Getting started")
    assert body.lead == "We are thrilled to announce Insiders today."


def test_the_first_local_body_image_is_the_photo(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    photo = two_tone(docs / "blog" / "posts" / "img" / "cover.png")
    text = "Intro.\n\n![remote](https://cdn.example.com/x.png)\n\n![cover](img/cover.png)\n"
    reading = read(docs, "blog/posts/p.md", text)
    assert reading.problems == ()
    assert reading.post is not None and reading.post.image == photo.resolve()


def test_a_leading_slash_means_the_docs_root_and_html_img_counts(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    photo = two_tone(docs / "assets" / "cover photo.png")
    reading = read(docs, "blog/posts/p.md", '<img src="/assets/cover%20photo.png" alt="">')
    assert reading.problems == ()
    assert reading.post is not None and reading.post.image == photo.resolve()


def test_pinplan_image_wins_and_material_image_comes_last(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    chosen = two_tone(docs / "chosen.png")
    body = two_tone(docs / "body.png")
    social = two_tone(docs / "social.png")
    explicit = read(docs, "p.md", "![b](body.png)", {"pinplan": {"image": "chosen.png"}})
    assert explicit.post is not None and explicit.post.image == chosen.resolve()
    from_body = read(docs, "p.md", "![b](body.png)", {"image": "social.png"})
    assert from_body.post is not None and from_body.post.image == body.resolve()
    meta: dict[str, object] = {
        "image": "https://example.com/og.png",
        "social": {"cards_layout_options": {"background_image": "social.png"}},
    }
    from_social = read(docs, "p.md", "No pictures here.", meta)
    assert from_social.problems == ()
    assert from_social.post is not None and from_social.post.image == social.resolve()


def test_unsafe_or_broken_body_images_are_refused_with_a_message(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    two_tone(tmp_path / "outside.png")
    (docs / "broken.png").parent.mkdir(parents=True, exist_ok=True)
    (docs / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    good = two_tone(docs / "good.png")
    text = "![o](../outside.png)\n![b](broken.png)\n![gone](missing.png)\n![g](good.png)\n"
    reading = read(docs, "p.md", text)
    lines = [str(p) for p in reading.problems]
    assert lines[0] == "p.md: body: points outside the docs directory: ../outside.png"
    assert lines[1].startswith("p.md: body: ") and "broken.png" in lines[1]
    assert len(lines) == 2  # a missing file is MkDocs' own warning, not a second one
    assert reading.post is not None and reading.post.image == good.resolve()


def test_body_photo_fills_the_photo_region_of_every_photo_layout(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    two_tone(docs / "blog" / "img" / "only.png", size=(1200, 1200))
    reading = read(docs, "blog/p.md", "Some words.\n\n![only](img/only.png)\n")
    assert reading.post is not None and reading.post.image is not None
    specs = make_pin_specs(
        [reading.post],
        PinSettings(layouts=resolve_layouts(["split", "photo", "band"]), pins_per_post=1),
    )
    split = BUILTIN_LAYOUTS["split"]
    for spec in specs:
        assert spec.design.image == reading.post.image
    # The split layout shows the photo unscrimmed in its top half: red left, blue right.
    design = specs[0].design.__class__(**{**vars(specs[0].design), "layout": split})
    image = compose(design).image
    top = round(split.photo_box[3] * design.height)
    left = image.crop((0, 0, design.width // 2 - 20, top)).resize((1, 1), Image.Resampling.BOX)
    right = image.crop((design.width // 2 + 20, 0, design.width, top)).resize((1, 1))
    assert all(abs(a - b) <= 6 for a, b in zip(left.getpixel((0, 0)), LEFT, strict=True))
    assert all(abs(a - b) <= 6 for a, b in zip(right.getpixel((0, 0)), RIGHT, strict=True))
    # The full-bleed photo layout: the top rows (under the lightest veil) keep the photo's hues.
    full = compose(
        specs[0].design.__class__(**{**vars(design), "layout": BUILTIN_LAYOUTS["photo"]})
    )
    strip = full.image.crop((0, 0, design.width, 40))
    red = strip.crop((20, 0, design.width // 2 - 20, 40)).resize((1, 1)).getpixel((0, 0))
    blue = strip.crop((design.width // 2 + 20, 0, design.width - 20, 40)).resize((1, 1))
    assert red[0] > 2 * red[2] and blue.getpixel((0, 0))[2] > 2 * blue.getpixel((0, 0))[0]


@settings(max_examples=40, deadline=None)
@given(
    chosen=st.lists(st.sampled_from(sorted(BUILTIN_LAYOUTS)), min_size=1, max_size=5),
    pins=st.integers(min_value=1, max_value=6),
)
def test_a_post_without_a_photo_never_gets_a_photo_layout(chosen: list[str], pins: int) -> None:
    posts = [
        Post(
            src_path=f"blog/{n}.md",
            title=f"Post number {n} about slow pinning",
            url=f"/{n}/",
            slug=str(n),
            description="A plan for a new account that never looks like a bot.",
            sections=tuple(f"Step {k} of the weekly plan" for k in range(6)),
            pins=pins,
        )
        for n in range(3)
    ]
    specs = make_pin_specs(posts, PinSettings(layouts=resolve_layouts(chosen)))
    assert len(specs) == 3 * pins
    for spec in specs:
        assert spec.design.image is None
        assert works_without_photo(spec.design.layout), spec.design.layout.name
    for post in posts:
        designs = [s.design for s in specs if s.post == post.src_path]
        assert len(set(designs)) == len(designs)  # distinct pins, even with one headline


@pytest.mark.parametrize("name", sorted(BUILTIN_LAYOUTS))
def test_layouts_that_need_a_photo_are_named_so(name: str) -> None:
    layout = BUILTIN_LAYOUTS[name]
    assert works_without_photo(layout) == (name in ("type", "block", "stripe"))
