"""Reading a report page as data with the standard library's HTML parser (the browser test reads it in Chromium)."""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image


class PageParser(HTMLParser):
    """Every start tag with its attributes, in order, and the text under each ``<pre class="evidence">``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.evidence: list[str] = []
        self._in_evidence = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs))
        if tag == "pre" and "evidence" in attrs.get("class", ""):
            self._in_evidence = True
            self.evidence.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_evidence = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_evidence:
            self.evidence[-1] += data


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser


def with_attr(parser: PageParser, attr: str, tag: str | None = None) -> list[dict[str, str]]:
    return [a for t, a in parser.tags if attr in a and (tag is None or t == tag)]


def embedded_images(parser: PageParser) -> list[Image.Image]:
    """Every <img> decoded from its data: URI (fails on anything else)."""
    images = []
    for tag, attrs in parser.tags:
        if tag != "img":
            continue
        src = attrs["src"]
        assert src.startswith("data:image/png;base64,"), src[:60]
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        image.load()
        images.append(image)
    return images


def external_references(parser: PageParser) -> list[str]:
    """src/href values that would reach outside the file (anything but data: URIs and #anchors)."""
    found = []
    for tag, attrs in parser.tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            if value is not None and not value.startswith(("data:", "#")):
                found.append(f"<{tag} {key}={value}>")
        if tag in ("script", "link", "iframe", "object", "embed"):
            found.append(f"<{tag}>")
    return found
