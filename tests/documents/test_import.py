"""`qms docs import`: new file → document with a draft, changed file → new draft, unchanged
file → nothing; one bad front matter refuses the whole run, naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from qms.auth import service as auth
from qms.auth.models import User
from qms.config import PROJECT_ROOT
from qms.db import unit_of_work
from qms.documents.importer import ImportRefused, check_folder, import_folder
from qms.documents.models import ControlledDocument, Revision
from qms.trail.models import TrailEvent
from tests.documents import factories as f

FRONT = """---
code: {code}
title: {title}
kind: procedure
department: A
clauses: ["8.2", "8.2.1"]
review_interval_months: 12
---

"""


def _write(folder: Path, name: str, code: str, body: str, title="Tiếp nhận hồ sơ") -> Path:
    path = folder / name
    path.write_text(FRONT.format(code=code, title=title) + body, encoding="utf-8")
    return path


def _run(world, folder, by=None):
    with unit_of_work(world.engine) as session:
        user = session.get(User, by.id) if by else None
        return import_folder(session=session, by=user, folder=folder)


def _counts(world):
    with unit_of_work(world.engine) as session:
        return (
            session.exec(select(func.count()).select_from(ControlledDocument)).one(),
            session.exec(select(func.count()).select_from(Revision)).one(),
            session.exec(select(func.count()).select_from(TrailEvent)).one(),
        )


def _revisions(world, code):
    with unit_of_work(world.engine) as session:
        document = session.exec(
            select(ControlledDocument).where(ControlledDocument.code == code)
        ).one()
        return session.exec(
            select(Revision).where(Revision.document_id == document.id).order_by(Revision.number)
        ).all()


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "procedures"
    path.mkdir()
    _write(path, "qt-01.md", "QT-01", "# QT-01\n\nTiếp nhận hồ sơ tại quầy.\n")
    _write(path, "qt-02.md", "QT-02", "# QT-02\n\nTrả kết quả.\n", title="Trả kết quả")
    return path


def test_a_new_file_becomes_a_document_with_a_draft_revision(world, folder):
    report = _run(world, folder, by=world.quality_officer)
    assert report.created == ["QT-01", "QT-02"]
    [revision] = _revisions(world, "QT-01")
    assert (revision.status, revision.number) == ("draft", 0)
    assert revision.content_md == "# QT-01\n\nTiếp nhận hồ sơ tại quầy.\n"
    assert revision.author_id == world.quality_officer.id
    assert revision.source_path == "qt-01.md"
    with unit_of_work(world.engine) as session:
        document = session.exec(
            select(ControlledDocument).where(ControlledDocument.code == "QT-01")
        ).one()
        assert (document.department_id, document.clauses) == (world.dept_a.id, ["8.2", "8.2.1"])
        assert document.owner_id == world.quality_officer.id


def test_an_unchanged_file_changes_nothing(world, folder):
    _run(world, folder)
    before = _counts(world)
    report = _run(world, folder)
    assert report.unchanged == ["QT-01", "QT-02"]
    assert report.created == report.revised == []
    assert _counts(world) == before


def test_a_changed_file_becomes_a_new_draft_revision(world, folder):
    _run(world, folder, by=world.quality_officer)
    [first] = _revisions(world, "QT-01")
    f.advance(world, first.id, "effective")
    _write(folder, "qt-01.md", "QT-01", "# QT-01\n\nTiếp nhận hồ sơ tại quầy và qua bưu chính.\n")
    report = _run(world, folder, by=world.quality_officer)
    assert report.revised == ["QT-01"] and report.unchanged == ["QT-02"]
    revisions = _revisions(world, "QT-01")
    assert [(r.number, r.status) for r in revisions] == [(0, "effective"), (1, "draft")]
    assert "bưu chính" in revisions[1].content_md
    assert "bưu chính" not in revisions[0].content_md


def test_a_changed_file_updates_a_draft_that_is_still_a_draft(world, folder):
    _run(world, folder)
    _write(folder, "qt-01.md", "QT-01", "# QT-01\n\nBản sửa.\n")
    report = _run(world, folder)
    assert report.revised == ["QT-01"]
    [revision] = _revisions(world, "QT-01")
    assert revision.content_md == "# QT-01\n\nBản sửa.\n"


def test_a_change_while_a_revision_is_in_review_refuses_the_run(world, folder):
    _run(world, folder, by=world.quality_officer)
    [first] = _revisions(world, "QT-01")
    f.advance(world, first.id, "in_review")
    _write(folder, "qt-01.md", "QT-01", "# QT-01\n\nBản sửa.\n")
    with pytest.raises(ImportRefused) as refused:
        _run(world, folder)
    assert [(p.file, p.field) for p in refused.value.problems] == [("qt-01.md", "code")]


@pytest.mark.parametrize(
    ("front", "field"),
    [
        (
            "code: QT 99 !\ntitle: X\nkind: procedure\ndepartment: A\nclauses: ['8.2']\nreview_interval_months: 12",
            "code",
        ),
        (
            "code: QT-99\ntitle: X\nkind: recipe\ndepartment: A\nclauses: ['8.2']\nreview_interval_months: 12",
            "kind",
        ),
        (
            "code: QT-99\ntitle: X\nkind: procedure\ndepartment: NOPE\nclauses: ['8.2']\nreview_interval_months: 12",
            "department",
        ),
        (
            "code: QT-99\ntitle: X\nkind: procedure\ndepartment: A\nclauses: 8.2\nreview_interval_months: 12",
            "clauses",
        ),
        (
            "code: QT-99\ntitle: X\nkind: procedure\ndepartment: A\nclauses: ['8.2']\nreview_interval_months: twelve",
            "review_interval_months",
        ),
        (
            "code: QT-99\nkind: procedure\ndepartment: A\nclauses: ['8.2']\nreview_interval_months: 12",
            "title",
        ),
        (
            "code: QT-99\ntitle: X\nkind: procedure\ndepartment: A\nclauses: ['8.2']\nreview_interval_months: 12\nowner: me",
            "owner",
        ),
        ("code: [unclosed\n", "front matter"),
    ],
    ids=["code", "kind", "department", "clauses", "interval", "missing-title", "unknown", "yaml"],
)
def test_a_bad_front_matter_refuses_the_whole_run(world, folder, front, field):
    (folder / "zz-bad.md").write_text(f"---\n{front}\n---\n\nNội dung\n", encoding="utf-8")
    before = _counts(world)
    with pytest.raises(ImportRefused) as refused:
        _run(world, folder)
    problems = refused.value.problems
    assert ("zz-bad.md", field) in [(p.file, p.field) for p in problems]
    assert _counts(world) == before  # the good files were not imported either


def test_a_file_without_front_matter_is_named(world, folder):
    (folder / "ghi-chu.md").write_text("# Chỉ là ghi chú\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        _run(world, folder)
    assert str(refused.value.problems[0]).startswith("ghi-chu.md: front matter")


def test_two_files_with_one_code_are_refused(world, folder):
    _write(folder, "qt-01-copy.md", "QT-01", "Bản trùng\n")
    with pytest.raises(ImportRefused) as refused:
        _run(world, folder)
    assert [(p.file, p.field) for p in refused.value.problems] == [("qt-01.md", "code")]


def test_every_shipped_procedure_has_a_valid_front_matter(world):
    with unit_of_work(world.engine) as session:
        for code in ("VP", "HCTC", "TH", "KSTT", "QTTV", "TTPVHCC"):
            auth.create_department(session=session, by=None, code=code, name=code)
        items = check_folder(session=session, folder=PROJECT_ROOT / "procedures_docs")
    assert len(items) == len(list((PROJECT_ROOT / "procedures_docs").glob("*.md")))
    assert {i.code for i in items} >= {"QT-01", "QT-10", "ST-01", "CS-01"}
    assert all("\u0300" not in i.title for i in items)  # composed (NFC) Vietnamese


def _cli(settings, *args):
    from qms.cli import app

    env = {
        "QMS_DATA_DIR": str(settings.data_dir),
        "QMS_DATABASE_URL": settings.database_url or "",
        "QMS_PASSWORD_HASHING": "fast",
    }
    return CliRunner().invoke(app, ["docs", "import", *args], env=env)


def test_the_command_reports_and_refuses_with_exit_1(settings, world, folder):
    result = _cli(settings, str(folder), "--as", world.quality_officer.email)
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    assert "0 created, 0 revised, 0 updated, 2 unchanged" in _cli(settings, str(folder)).output
    (folder / "zz-bad.md").write_text("---\ncode: QT-09\n---\n\nx\n", encoding="utf-8")
    refused = _cli(settings, str(folder))
    assert refused.exit_code == 1
    assert "zz-bad.md: title: missing" in refused.output
    assert "nothing was imported" in refused.output


def test_the_command_refuses_someone_who_is_not_a_quality_officer(settings, world, folder):
    result = _cli(settings, str(folder), "--as", world.staff.email)
    assert result.exit_code == 1
    assert _counts(world)[0] == 0
