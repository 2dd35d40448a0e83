"""Front-matter → Post: one fixture page per edge case, each with the message a user sees."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from mkdocs_pinplan.errors import PinplanError
from mkdocs_pinplan.filememo import FileMemo
from mkdocs_pinplan.posts import PostImages, PostReading, parse_front_matter, read_post

POSTS = Path(__file__).parent / "fixtures" / "posts"


def read_fixture(name: str, *, is_post_path: bool = True, docs_dir: Path = POSTS) -> PostReading:
    path = docs_dir / name
    meta = parse_front_matter(path.read_text(encoding="utf-8"), name)
    return read_post(
        name,
        meta,
        url=f"https://example.com/{Path(name).stem}/",
        docs_dir=docs_dir,
        default_title="Heading from the page",
        default_slug=Path(name).stem,
        default_lang="en",
        is_post_path=is_post_path,
    )


def messages(reading: PostReading) -> list[str]:
    return [str(p) for p in reading.problems]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("date_as_date.md", date(2026, 11, 20)),
        ("date_as_datetime.md", date(2026, 11, 20)),
        ("date_as_mapping.md", date(2026, 11, 20)),
        ("date_as_quoted_string.md", date(2026, 11, 20)),
    ],
)
def test_every_date_form_a_blogger_writes_is_accepted(name: str, expected: date) -> None:
    reading = read_fixture(name)
    assert reading.problems == ()
    assert reading.post is not None
    assert reading.post.date == expected


# (fixture, the one line the user sees). Every message names the file and the field.
PROBLEMS = [
    ("date_updated_without_created.md", "date: has 'updated' but no 'created' date"),
    ("date_not_a_date.md", "date: expected a date such as 2026-11-20, got 'last tuesday'"),
    ("draft_not_bool.md", "draft: expected true or false, got 'maybe'"),
    ("titles_number_item.md", "pinplan.titles[1]: expected text, got int 42"),
    ("pins_negative.md", "pinplan.pins: must be between 1 and 20, got -3"),
    ("pins_huge.md", "pinplan.pins: must be between 1 and 20, got 100000"),
    ("pins_string.md", "pinplan.pins: expected a whole number, got 'three'"),
    ("pins_bool.md", "pinplan.pins: expected a whole number, got True"),
    ("title_number.md", "title: expected text, got int 42"),
    ("title_empty.md", "title: is empty"),
    ("unknown_key_typo.md", "pinplan.tittles: unknown key (did you mean 'titles'?)"),
    ("unknown_key_far.md", "pinplan.colour: unknown key"),
    ("pinplan_as_list.md", "pinplan: expected a mapping or false, got list"),
    ("pinplan_as_string.md", "pinplan: expected a mapping or false, got str"),
    ("keywords_wrong_type.md", "pinplan.keywords: expected a list of text, got int 5"),
    ("board_as_list.md", "pinplan.board: expected text, got list ['a', 'b']"),
    ("description_number.md", "pinplan.description: expected text, got float 3.5"),
    ("link_not_url.md", "pinplan.link: expected an http(s) URL, got 'javascript:alert(1)'"),
    ("image_remote.md", "pinplan.image: remote images are not fetched at build time"),
    ("image_protocol_relative.md", "pinplan.image: remote images are not fetched"),
    ("image_absolute.md", "pinplan.image: must be a path relative to the page, not absolute"),
    ("image_escape.md", "pinplan.image: points outside the docs directory"),
    ("image_missing.md", "pinplan.image: image not found: images/nope.jpg"),
    ("image_corrupt.md", "pinplan.image: "),
    ("image_not_image.md", "pinplan.image: not an image Pillow can read: not-an-image.png"),
    ("image_bomb.md", "pinplan.image: image is too large (more than 40,000,000 pixels"),
    ("image_zero_size.md", "pinplan.image: not an image Pillow can read: empty.png"),
    (
        "image_over_our_limit.md",
        "pinplan.image: image is too large (7000×7000 px, limit 40,000,000 pixels): huge.png",
    ),
    ("image_number.md", "pinplan.image: expected a path to an image, got 7"),
]


@pytest.mark.parametrize(("name", "expected"), PROBLEMS)
def test_problems_name_the_file_and_the_field(name: str, expected: str) -> None:
    reading = read_fixture(name)
    lines = messages(reading)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{name}: {expected}"), lines[0]
    assert "\n" not in lines[0]
    # A bad key falls back to its default; the post itself is still usable.
    assert reading.post is not None


def test_a_fixture_exists_for_every_problem_case() -> None:
    assert {name for name, _ in PROBLEMS} <= {p.name for p in POSTS.glob("*.md")}


def test_corrupt_image_is_reported_as_corrupt_or_unreadable() -> None:
    (line,) = messages(read_fixture("image_corrupt.md"))
    assert "corrupt" in line or "not an image" in line


def test_image_symlink_pointing_outside_docs_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    outside = tmp_path / "secret.png"
    outside.write_bytes((POSTS / "images" / "photo.png").read_bytes())
    os.symlink(outside, docs / "link.png")
    (docs / "post.md").write_text("---\npinplan:\n  image: link.png\n---\n# P\n")
    (line,) = messages(read_fixture("post.md", docs_dir=docs))
    assert line == "post.md: pinplan.image: points outside the docs directory: link.png"


def test_image_folder_symlinked_outside_docs_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "photo.png").write_bytes((POSTS / "images" / "photo.png").read_bytes())
    os.symlink(outside, docs / "posts" / "images")
    (docs / "posts" / "a.md").write_text("---\npinplan:\n  image: images/photo.png\n---\n")
    (docs / "posts" / "b.md").write_text("---\npinplan:\n  image: ../posts/images/photo.png\n---\n")
    images = PostImages(docs)
    for name in ("a.md", "b.md"):
        meta = parse_front_matter((docs / "posts" / name).read_text(), name)
        reading = read_post(
            f"posts/{name}",
            meta,
            url="/",
            docs_dir=docs,
            default_title="T",
            default_slug="t",
            images=images,
        )
        (problem,) = reading.problems
        assert "points outside the docs directory" in str(problem)


def test_an_unchanged_image_is_not_opened_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    photo = docs / "photo.png"
    photo.write_bytes((POSTS / "images" / "photo.png").read_bytes())
    past = time.time() - 3600
    os.utime(photo, (past, past))
    memo_file = tmp_path / "cache" / "image-sizes.json"

    def build() -> PostReading:
        memo = FileMemo(memo_file)
        reading = read_post(
            "post.md",
            {"pinplan": {"image": "photo.png"}},
            url="/",
            docs_dir=docs,
            default_title="T",
            default_slug="t",
            images=PostImages(docs, memo),
        )
        memo.save()
        return reading

    assert build().problems == ()

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the image was opened again")

    with monkeypatch.context() as patched:
        patched.setattr(Image, "open", never)
        again = build()
    assert again.problems == () and again.post is not None and again.post.image == photo

    photo.write_bytes(b"not a picture any more")  # a changed file is looked at again
    os.utime(photo, (past, past))
    (problem,) = build().problems
    assert str(problem).startswith("post.md: pinplan.image: not an image")


def test_image_inside_docs_resolves_to_the_file() -> None:
    reading = read_fixture("image_ok.md")
    assert reading.problems == ()
    assert reading.post is not None
    assert reading.post.image == (POSTS / "images" / "photo.png").resolve()


def test_broken_yaml_names_the_file_and_line() -> None:
    with pytest.raises(PinplanError) as info:
        parse_front_matter((POSTS / "broken_yaml.md").read_text(), "broken_yaml.md")
    assert str(info.value).startswith("broken_yaml.md: front-matter: invalid YAML (line ")


def test_front_matter_that_is_not_a_mapping() -> None:
    name = "front_matter_is_list.md"
    with pytest.raises(PinplanError) as info:
        parse_front_matter((POSTS / name).read_text(), name)
    assert str(info.value) == f"{name}: front-matter: expected a mapping of keys, got list"


def test_page_without_front_matter_is_a_post_under_the_globs_only() -> None:
    assert read_fixture("no_front_matter.md", is_post_path=False).post is None
    reading = read_fixture("no_front_matter.md")
    assert reading.post is not None
    assert reading.post.title == "Heading from the page"


def test_opt_out_and_plain_pages() -> None:
    assert read_fixture("opt_out.md").post is None
    assert read_fixture("pinplan_true.md", is_post_path=False).post is None
    assert read_fixture("titles_as_string.md", is_post_path=False).post is not None


def test_draft_and_slug_are_honoured() -> None:
    draft = read_fixture("draft.md").post
    assert draft is not None and draft.draft
    slugged = read_fixture("slug.md").post
    assert slugged is not None and slugged.slug == "my-own-slug"


def test_titles_are_cleaned_and_deduplicated() -> None:
    post = read_fixture("titles_list.md").post
    assert post is not None
    assert post.titles == ("First & best", "Second")
    single = read_fixture("titles_as_string.md").post
    assert single is not None and single.titles == ("Just one headline",)


def test_html_and_newlines_in_titles_never_reach_the_pins() -> None:
    post = read_fixture("title_html.md").post
    assert post is not None
    assert post.title == "alert(1)Tips & Tricks for pins"


def test_language_and_link() -> None:
    post = read_fixture("lang.md").post
    assert post is not None and post.lang == "de"
    linked = read_fixture("link_ok.md").post
    assert linked is not None and linked.link == "https://shop.example.com/item?id=7"
