"""A tiny HTML tree for the preview tests (stdlib only): find elements, read their text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    """One parsed element: tag, attributes (unescaped), children and text pieces."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """This element and every descendant element (with ``tag``, when given)."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter(tag)

    def find_all(self, tag: str, cls: str | None = None) -> list[Element]:
        """Descendants with ``tag`` (and CSS class ``cls``, when given)."""
        return [e for e in self.iter(tag) if cls is None or cls in e.classes]

    def find(self, tag: str, cls: str | None = None) -> Element:
        """The first descendant with ``tag`` (and class ``cls``); fails the test when absent."""
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls!r}> in <{self.tag}>"
        return found[0]

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The text content, whitespace collapsed."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join(" ".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """Parse ``html`` as a browser would for well-formed pages (no error recovery)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
