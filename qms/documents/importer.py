"""Procedures kept as Markdown files with a YAML front matter, brought in as controlled
documents: a new file becomes a document with a draft revision, a changed file a new draft
revision, an unchanged file nothing. Every file is checked before anything is written; one
bad file refuses the whole run."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlmodel import Session, col, select

from qms.auth.models import Department, User
from qms.documents import service
from qms.documents.models import ControlledDocument, Revision, clause_key
from qms.documents.service import CLAUSE, CODE
from qms.documents.states import DocumentStatus, Kind, RevisionStatus

FIELDS = ("code", "title", "kind", "department", "clauses", "review_interval_months")


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class ImportRefused(Exception):
    """At least one file is wrong: nothing of the run was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ProcedureFile:
    name: str
    sha256: str
    code: str
    title: str
    kind: str
    department: str
    clauses: list[str]
    review_interval_months: int
    body: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # the register entry only
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _split(text: str) -> tuple[str, str] | None:
    text = text.removeprefix("\ufeff")
    if not text.startswith("---"):
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]).lstrip("\n")
    return None


def parse(path: Path, departments: set[str]) -> tuple[ProcedureFile | None, list[Problem]]:
    """One file's front matter and body, or the problems found in it."""
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None, [Problem(name, "file", "is not UTF-8 text")]
    parts = _split(text)
    if parts is None:
        return None, [Problem(name, "front matter", "missing: the file must start with --- … ---")]
    try:
        meta = yaml.safe_load(parts[0])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        return None, [Problem(name, "front matter", f"is not valid YAML{where}")]
    if not isinstance(meta, dict):
        return None, [Problem(name, "front matter", "must be a mapping of fields")]
    problems = [Problem(name, k, "missing") for k in FIELDS if k not in meta]
    problems += [Problem(name, str(k), "unknown field") for k in meta if k not in FIELDS]

    def check(key, ok, message):
        if key in meta and not ok:
            problems.append(Problem(name, key, message))

    code, title = meta.get("code"), meta.get("title")
    check("code", isinstance(code, str) and CODE.match(code.strip()), "must be a code like QT-03")
    check("title", isinstance(title, str) and title.strip(), "must be a non-empty text")
    kinds = {k.value for k in Kind}
    check("kind", meta.get("kind") in kinds, "must be one of " + ", ".join(sorted(kinds)))
    department = meta.get("department")
    check(
        "department",
        isinstance(department, str) and department in departments,
        "must be the code of an existing department",
    )
    clauses = meta.get("clauses")
    check(
        "clauses",
        isinstance(clauses, list)
        and all(isinstance(c, str) and CLAUSE.match(c.strip()) for c in clauses),
        'must be a list of clause numbers as text, e.g. ["7.5", "7.5.1"]',
    )
    months = meta.get("review_interval_months")
    check(
        "review_interval_months",
        isinstance(months, int) and not isinstance(months, bool) and 1 <= months <= 120,
        "must be a whole number of months from 1 to 120",
    )
    if not parts[1].strip():
        problems.append(Problem(name, "body", "is empty"))
    if problems:
        return None, problems
    return (
        ProcedureFile(
            name=name,
            sha256=hashlib.sha256(raw).hexdigest(),
            code=code.strip().upper(),
            title=title.strip(),
            kind=meta["kind"],
            department=department,
            clauses=[c.strip() for c in clauses],
            review_interval_months=months,
            body=parts[1].rstrip() + "\n",
        ),
        [],
    )


def _latest(session: Session, document: ControlledDocument) -> Revision | None:
    return session.exec(
        select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(col(Revision.number).desc())
    ).first()


def _unchanged(session: Session, document: ControlledDocument, item: ProcedureFile) -> bool:
    latest = _latest(session, document)
    if latest is None:
        return False
    imported_same_file = session.exec(
        select(Revision.id).where(
            Revision.document_id == document.id, Revision.source_sha256 == item.sha256
        )
    ).first()
    same_meta = (
        document.title == item.title
        and document.kind == item.kind
        and document.clauses == sorted(set(item.clauses), key=clause_key)
        and document.review_interval_months == item.review_interval_months
    )
    return imported_same_file is not None or (latest.content_md == item.body and same_meta)


def check_folder(*, session: Session, folder: Path) -> list[ProcedureFile]:
    """Every file of the folder, checked; ImportRefused listing all problems if any."""
    if not folder.is_dir():
        raise ImportRefused([Problem(str(folder), "path", "is not a folder")])
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise ImportRefused([Problem(str(folder), "path", "holds no .md file")])
    departments = set(session.exec(select(Department.code)).all())
    items: list[ProcedureFile] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        item, found = parse(path, departments)
        problems += found
        if item is None:
            continue
        if item.code in seen:
            problems.append(
                Problem(item.name, "code", f"{item.code} is also the code of {seen[item.code]}")
            )
            continue
        seen[item.code] = item.name
        document = session.exec(
            select(ControlledDocument).where(ControlledDocument.code == item.code)
        ).first()
        if document is not None and document.status != DocumentStatus.obsolete.value:
            pending = service.open_revision(session=session, document=document)
            if (
                pending is not None
                and pending.status != RevisionStatus.draft.value
                and not _unchanged(session, document, item)
            ):
                problems.append(
                    Problem(
                        item.name,
                        "code",
                        f"{item.code} has revision {pending.label} {pending.status}; "
                        "finish it before importing a change",
                    )
                )
        items.append(item)
    if problems:
        raise ImportRefused(problems)
    return items


def import_folder(*, session: Session, by: User | None, folder: Path) -> ImportReport:
    """Bring the folder's procedures in; all or nothing (the caller's transaction)."""
    items = check_folder(session=session, folder=folder)
    report = ImportReport()
    for item in items:
        department = service_department(session, item.department)
        document = session.exec(
            select(ControlledDocument).where(ControlledDocument.code == item.code)
        ).first()
        if document is None:
            document = service.create_document(
                session=session,
                by=by,
                code=item.code,
                title=item.title,
                kind=item.kind,
                department_id=department.id,
                clauses=item.clauses,
                review_interval_months=item.review_interval_months,
            )
            service.create_revision(
                session=session,
                by=by,
                document=document,
                content_md=item.body,
                source_path=item.name,
                source_sha256=item.sha256,
            )
            report.created.append(item.code)
            continue
        if document.status == DocumentStatus.obsolete.value:
            report.skipped.append(item.code)
            continue
        if _unchanged(session, document, item):
            report.unchanged.append(item.code)
            continue
        service.update_document(
            session=session,
            by=by,
            document=document,
            version=document.version,
            title=item.title,
            kind=item.kind,
            department_id=department.id,
            clauses=item.clauses,
            review_interval_months=item.review_interval_months,
        )
        pending = service.open_revision(session=session, document=document)
        latest = _latest(session, document)
        if latest is not None and latest.content_md == item.body:
            report.updated.append(item.code)
            continue
        if pending is not None:  # a draft: checked above, nothing further along
            service.update_revision(
                session=session,
                by=by,
                revision=pending,
                version=pending.version,
                content_md=item.body,
                source_sha256=item.sha256,
            )
        else:
            service.create_revision(
                session=session,
                by=by,
                document=document,
                content_md=item.body,
                source_path=item.name,
                source_sha256=item.sha256,
            )
        report.revised.append(item.code)
    return report


def service_department(session: Session, code: str) -> Department:
    return session.exec(select(Department).where(Department.code == code)).one()
