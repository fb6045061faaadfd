"""Revision content: the hash both signatures bind to, safe HTML from Markdown, and the
word-level comparison of two revisions' rendered text."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}


def content_hash(content_md: str, file_sha256: str | None) -> str:
    """SHA-256 over the Markdown text and the attached file's hash: what is signed."""
    body = (content_md or "").encode("utf-8") + b"\x00" + (file_sha256 or "").encode("ascii")
    return hashlib.sha256(body).hexdigest()


def render_markdown(source: str) -> str:
    """HTML safe to show: no script, no event handler, no javascript: or data: link."""
    html = _md.render(source or "")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# Elements whose text is one block of the comparison (a paragraph, an item, a heading …).
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr", "caption"}


class _TextBlocks(HTMLParser):
    """The text of rendered HTML, one string per block, as a reader sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS or tag in ("br", "hr", "table", "ul", "ol"):
            self._flush()
        elif tag in ("td", "th"):
            # Cells of a row read "a | b | c": a separator only after a cell's text (the
            # whitespace between <tr> and its first cell is no cell).
            self._current.append(" | " if "".join(self._current).strip() else "")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        self._current.append(data)

    def close(self):
        super().close()
        self._flush()


def text_blocks(source_md: str) -> list[str]:
    """The rendered text of a revision, block by block: no Markdown marks, no HTML."""
    parser = _TextBlocks()
    parser.feed(render_markdown(source_md))
    parser.close()
    return parser.blocks


@dataclass(frozen=True)
class DiffBlock:
    kind: str  # equal, insert, delete, change, skip
    # (how, text) pieces: how is "equal", "delete" or "insert"; a word-level change is a
    # sequence of them inside one block.
    parts: tuple[tuple[str, str], ...]


def _word_parts(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = old.split(), new.split()
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("equal", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("insert", " ".join(b[j1:j2])))
    return tuple(parts)


def diff_text(old_md: str, new_md: str, *, context: int = 2) -> list[DiffBlock]:
    """The changes between two revisions as a reader sees them: blocks of rendered text
    compared, and inside a changed block the words removed and added; `context` unchanged
    blocks around each change, a "skip" block for those left out. Plain text: the
    template escapes it."""
    a, b = text_blocks(old_md), text_blocks(new_md)
    blocks: list[DiffBlock] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    last = 0
    for group in matcher.get_grouped_opcodes(context):
        if group[0][1] > last or (not blocks and group[0][3] > 0):
            blocks.append(DiffBlock("skip", ()))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                blocks.extend(DiffBlock("equal", (("equal", t),)) for t in a[i1:i2])
                continue
            pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for k in range(pairs):
                blocks.append(DiffBlock("change", _word_parts(a[i1 + k], b[j1 + k])))
            blocks.extend(DiffBlock("delete", (("delete", t),)) for t in a[i1 + pairs : i2])
            blocks.extend(DiffBlock("insert", (("insert", t),)) for t in b[j1 + pairs : j2])
        last = group[-1][2]
    if blocks and last < len(a):
        blocks.append(DiffBlock("skip", ()))
    return blocks
