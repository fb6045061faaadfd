"""Revision content: the hash both signatures bind to, safe HTML from Markdown, text diffs."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass

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


@dataclass(frozen=True)
class DiffRow:
    kind: str  # equal, insert, delete, replace
    old_number: int | None
    old_text: str
    new_number: int | None
    new_text: str


def diff_lines(old: str, new: str, *, context: int = 3) -> list[DiffRow]:
    """Side-by-side rows of the changed parts of two texts, with `context` unchanged lines
    around each change; a "skip" row stands for the unchanged lines left out. Plain text:
    the template escapes it."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if index or group[0][1] > 0 or group[0][3] > 0:
            rows.append(DiffRow("skip", None, "", None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(
                    DiffRow("equal", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k])
                    for k in range(i2 - i1)
                )
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                old_i, new_j = i1 + k, j1 + k
                has_old, has_new = old_i < i2, new_j < j2
                kind = "replace" if has_old and has_new else ("delete" if has_old else "insert")
                rows.append(
                    DiffRow(
                        kind,
                        old_i + 1 if has_old else None,
                        a[old_i] if has_old else "",
                        new_j + 1 if has_new else None,
                        b[new_j] if has_new else "",
                    )
                )
    last_old = max((r.old_number or 0 for r in rows), default=0)
    if rows and last_old < len(a):
        rows.append(DiffRow("skip", None, "", None, ""))
    return rows
