"""The one upload store: read a chunk at a time, refused as soon as it passes the limit,
nothing left behind when refused."""

from __future__ import annotations

import io

import pytest

from qms import files
from qms.errors import Invalid

PDF = b"%PDF-1.4\n% stored\n"


class Recording(io.BytesIO):
    """A stream that remembers how much each read asked for and how much it gave."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


def test_an_upload_is_read_a_chunk_at_a_time(tmp_path):
    stream = Recording(PDF + b"0" * (files.CHUNK * 2 + 10))
    stored = files.store(
        files_dir=tmp_path,
        source=stream,
        filename="a.pdf",
        max_bytes=10 * files.CHUNK,
        accept={"pdf"},
    )
    assert stored.kind == "pdf" and stored.size == len(stream.getvalue())
    assert stream.asked and all(0 < size <= files.CHUNK for size in stream.asked)
    assert (tmp_path / stored.sha256).read_bytes() == stream.getvalue()


def test_an_upload_past_the_limit_stops_being_read_and_leaves_nothing(tmp_path):
    stream = Recording(PDF + b"0" * (files.CHUNK * 5))
    with pytest.raises(Invalid) as refused:
        files.store(
            files_dir=tmp_path,
            source=stream,
            filename="a.pdf",
            max_bytes=files.CHUNK,
            accept={"pdf"},
        )
    assert refused.value.field == "file"
    assert len(stream.asked) == 2  # the second chunk passed the limit: the rest is not read
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\a\\bien ban.pdf", "bien ban.pdf"),
        ("\x00\x1b[31m.pdf", "[31m.pdf"),
        ("..", "file"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * files.NAME_LIMIT),
    ],
)
def test_one_name_cleaner_keeps_a_label_only(name, kept):
    assert files.clean_name(name) == kept
