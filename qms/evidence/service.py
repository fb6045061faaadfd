"""The rules of the certification evidence pack: the period, the records of every domain mapped
to the clauses of ISO 9001:2015 that ask for them (qms.evidence.requirements), the gaps, and
the export of the pack as a ZIP (index PDF, manifest with SHA-256, the kept signed records)."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import re
import struct
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module
from pathlib import Path

from sqlalchemy import event, update
from sqlmodel import Session, col, select

from qms.auth.models import User
from qms.auth.permissions import require
from qms.config import Settings
from qms.db import unit_of_work, utcnow
from qms.errors import Conflict, Invalid, Label, NotFound, QMSError
from qms.evidence import permissions as _permissions  # noqa: F401  (declares the rules)
from qms.evidence.models import EvidenceExport
from qms.evidence.requirements import REQUIREMENTS, Requirement, clause_matches
from qms.evidence.states import PENDING, REMOVE, STATUS_LABELS, Status, transition
from qms.evidence_records import Exclusion, Gap, Item, Register
from qms.i18n import N_
from qms.reports import service as reports
from qms.trail import service as trail

log = logging.getLogger("qms.evidence")

RECORD = "evidence_export"
# The domains whose service offers evidence(*, session, start, end, today) -> Evidence.
CONTRIBUTORS = (
    "qms.documents.service",
    "qms.audits.service",
    "qms.nonconformities.service",
    "qms.objectives.service",
    "qms.risks.service",
    "qms.reviews.service",
)
# The longest period a pack covers: three years, the usual certification cycle.
MAX_DAYS = 3 * 366
# Records listed per clause on the page and in the index PDF (the count and the register
# link give the rest; the manifest lists every kept file).
PAGE_ITEMS = 20
# The index is rendered in one piece: its rows bound the renderer's time and memory.
INDEX_ITEMS = 50
# Distinct (kind, clauses) of documents whose citing clauses are remembered.
CITED_SHAPES = 2000
# Gaps listed per clause on the page and in the index (the count gives them all).
LISTED_GAPS = 50
# Kept files listed, with their SHA-256, in the index PDF; manifest.csv lists them all.
INDEX_FILES = 500
# An export that has not moved for this long was interrupted (the server stopped).
STALE_AFTER = timedelta(minutes=15)
# A downloaded pack is removed when a new export is started this long after the download.
KEEP_AFTER_DOWNLOAD = timedelta(days=7)
# Progress is written every so many files.
PROGRESS_EVERY = 20
# Records whose kept files are looked up together, and put in the ZIP, at a time.
BATCH = 500
CHUNK = 1024 * 1024
MANIFEST_COLUMNS = (
    "file",
    "sha256",
    "size",
    "record_kind",
    "record_code",
    "record_url",
    "kept_at",
    "clauses",
    "status",
)

NOTHING_OF_KIND = N_("No document of this kind is in force.")
NOTHING_FOR_CLAUSE = N_(
    "No document in force addresses clause %(clause)s, and no other record of this system does."
)
NOTHING_IN_PERIOD = N_("This system holds no record of it from %(start)s to %(end)s.")
NOT_EXCLUDABLE = N_(
    "%(code)s declares %(clause)s not applicable: the standard allows it only for a "
    "requirement of clauses 7 and 8 that does not affect the conformity of the services."
)
WITHHELD = N_(
    "The kept file of %(code)s is missing or no longer matches its SHA-256: it was left out; "
    "restore it from a backup."
)


# --- the period -------------------------------------------------------------------------


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months, ending today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def parse_day(text: str | None, field: str) -> date:
    text = (text or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise Invalid("Enter the date as YYYY-MM-DD.", field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("Enter the date as YYYY-MM-DD.", field=field) from None


def check_period(
    start: date, end: date, *, fields: tuple[str, str] = ("period_start", "period_end")
) -> None:
    """A period that starts on or before its end, within three years, from 2000 to 2100."""
    if start > end:
        raise Invalid("The period must start on or before the day it ends.", field=fields[0])
    if start.year < 2000 or end.year > 2100:
        raise Invalid("Choose a period between 2000 and 2100.", field=fields[0])
    if (end - start).days > MAX_DAYS:
        raise Invalid("The period can cover at most three years.", field=fields[1])


# --- the pack ---------------------------------------------------------------------------


@dataclass
class ClauseEvidence:
    requirement: Requirement
    # The first records of the clause (PAGE_ITEMS or INDEX_ITEMS of them) and its first gaps:
    # a pack at a full office cites tens of thousands of records; `count` and `gap_count` are
    # all of them, and the registers list the rest.
    items: list[Item] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # (kind of link, href): the registers filtered to the records counted.
    registers: list[tuple[str, str]] = field(default_factory=list)
    count: int = 0
    gap_count: int = 0
    # The scope document in force declares the requirement not applicable (4.3): no gap.
    excluded: Exclusion | None = None
    # … or one of its sub-clauses (7.1.5.2 of 7.1.5): the rest still applies.
    partly_excluded: list[Exclusion] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)

    @property
    def more_gaps(self) -> int:
        return max(self.gap_count - len(self.gaps), 0)

    def add_item(self, item: Item, listed: int) -> None:
        self.count += 1
        if len(self.items) < listed:
            self.items.append(item)

    def add_gap(self, gap: Gap) -> None:
        self.gap_count += 1
        if len(self.gaps) < LISTED_GAPS:
            self.gaps.append(gap)


@dataclass
class Pack:
    start: date
    end: date
    clauses: list[ClauseEvidence]
    # What the scope document in force declares not applicable, in its order.
    exclusions: list[Exclusion] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(c.count for c in self.clauses)

    @property
    def gaps(self) -> int:
        return sum(c.gap_count for c in self.clauses)


def _document_registers(requirement: Requirement) -> list[tuple[str, str]]:
    links = [("kind:" + k, f"/documents?kind={k}") for k in requirement.document_kinds]
    links += [("clause:" + c, f"/documents?clause={c}") for c in requirement.document_clauses]
    return links


def _cites(requirement: Requirement, document: Item) -> bool:
    return document.document_kind in requirement.document_kinds or any(
        clause_matches(c, requirement.document_clauses) for c in document.clauses
    )


def compile_pack(
    *,
    session: Session,
    start: date,
    end: date,
    today: date,
    listed: int = PAGE_ITEMS,
    on_record: Callable[[str, int, list[str]], None] | None = None,
) -> Pack:
    """Every requirement of the table with the records of the period that satisfy it (their
    count, the first `listed`) and its gaps, from each contributing domain's evidence(),
    read as a stream: the memory it takes does not grow with the records. `on_record(kept
    kind, record id, clauses)` is called once for each record with a kept PDF, with every
    clause citing it."""
    check_period(start, end)
    clauses = [ClauseEvidence(r, registers=_document_registers(r)) for r in REQUIREMENTS]
    by_source: dict[str, list[ClauseEvidence]] = defaultdict(list)
    for clause in clauses:
        for source in clause.requirement.sources:
            by_source[source].append(clause)
    registers: dict[str, str] = {}
    exclusions: list[Exclusion] = []
    cited: dict[tuple, list[ClauseEvidence]] = {}
    # The record whose items are arriving (a domain yields them one after the other).
    current: tuple[str, int, list[str]] | None = None
    for path in CONTRIBUTORS:
        offered = import_module(path).evidence(session=session, start=start, end=end, today=today)
        for found in offered:
            if isinstance(found, Item):
                if found.source == "documents":
                    # Documents share a few kinds and clause sets: matched once each.
                    shape = (found.document_kind, found.clauses)
                    citing = cited.get(shape)
                    if citing is None:
                        citing = [c for c in clauses if _cites(c.requirement, found)]
                        if len(cited) < CITED_SHAPES:
                            cited[shape] = citing
                else:
                    citing = by_source.get(found.source, [])
                for clause in citing:
                    clause.add_item(found, listed)
                if on_record is None or not citing or not (found.kept_kind and found.kept_id):
                    continue
                if current is not None and current[:2] == (found.kept_kind, found.kept_id):
                    current[2].extend(
                        c.requirement.clause
                        for c in citing
                        if c.requirement.clause not in current[2]
                    )
                    continue
                if current is not None:
                    on_record(*current)
                current = (found.kept_kind, found.kept_id, [c.requirement.clause for c in citing])
            elif isinstance(found, Gap):
                for clause in by_source.get(found.source, []):
                    clause.add_gap(found)
            elif isinstance(found, Register):
                registers[found.source] = found.href
            elif isinstance(found, Exclusion):
                exclusions.append(found)
    if current is not None and on_record is not None:
        on_record(*current)
    for clause in clauses:
        clause.registers += [
            (s, registers[s]) for s in clause.requirement.sources if s in registers
        ]
    _apply_exclusions(clauses, exclusions)
    for clause in clauses:
        required = clause.requirement.required and clause.excluded is None
        if required and not clause.count and not clause.gap_count:
            clause.add_gap(_nothing_held(clause.requirement, start, end))
    return Pack(start=start, end=end, clauses=clauses, exclusions=exclusions)


def excludable(clause: str) -> bool:
    """Whether the scope may declare a requirement not applicable: 4.3 allows it only where
    it does not affect the conformity of the services, which in practice means a requirement
    of clause 7 (resources, e.g. 7.1.5.2) or 8 (operation, e.g. 8.3 design)."""
    return clause.split(".")[0] in ("7", "8")


def _apply_exclusions(clauses: list[ClauseEvidence], exclusions: list[Exclusion]) -> None:
    """A requirement the scope excludes (or whose clause it excludes, 8.3 for 8.3.2) has no
    gap; one with an excluded sub-clause shows it; an exclusion the standard does not allow
    is a gap of 4.3."""
    scope = next(c for c in clauses if c.requirement.clause == "4.3")
    for exclusion in exclusions:
        if not excludable(exclusion.clause):
            scope.add_gap(
                Gap(
                    source="documents",
                    message=NOT_EXCLUDABLE,
                    params={"code": exclusion.code, "clause": exclusion.clause},
                    href=exclusion.href,
                )
            )
            continue
        for clause in clauses:
            wanted = clause.requirement.clause
            if clause.excluded is None and clause_matches(wanted, (exclusion.clause,)):
                clause.excluded = exclusion
                clause.gaps, clause.gap_count = [], 0
            elif exclusion.clause.startswith(wanted + "."):
                clause.partly_excluded.append(exclusion)


def _nothing_held(requirement: Requirement, start: date, end: date) -> Gap:
    if requirement.sources:
        return Gap(
            source="",
            message=NOTHING_IN_PERIOD,
            params={"start": start.isoformat(), "end": end.isoformat()},
        )
    if requirement.document_kinds:
        kind = requirement.document_kinds[0]
        return Gap(source="", message=NOTHING_OF_KIND, href=f"/documents?kind={kind}")
    return Gap(
        source="",
        message=NOTHING_FOR_CLAUSE,
        params={"clause": requirement.clause},
        href="/documents",
    )


def read_pack(*, session: Session, by: User, start: date, end: date, today: date) -> Pack:
    require(by, "evidence.read")
    return compile_pack(session=session, start=start, end=end, today=today)


# --- exports: requesting, following, downloading, removing ------------------------------


def get_export(*, session: Session, export_id: int) -> EvidenceExport:
    export = session.get(EvidenceExport, export_id)
    if export is None:
        raise NotFound("Export %(id)s does not exist.", id=export_id)
    return export


def list_exports(*, session: Session, by: User, limit: int = 10) -> list[EvidenceExport]:
    require(by, "evidence.read")
    return list(
        session.exec(
            select(EvidenceExport).order_by(col(EvidenceExport.id).desc()).limit(limit)
        ).all()
    )


def export_path(settings: Settings, export: EvidenceExport) -> Path:
    return settings.data_dir / "exports" / f"evidence-{export.id}.zip"


def file_name(export: EvidenceExport) -> str:
    """The name the download is saved under."""
    return f"evidence-{export.period_start.isoformat()}-{export.period_end.isoformat()}.zip"


def _event(session, export, by, action, changes=None, reason=""):
    session.add(export)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action=action,
        record_type=RECORD,
        record_id=export.id,
        changes=changes or {},
        reason=reason,
    )


def _remove_after_commit(session: Session, path: Path) -> None:
    def remove(_session):
        path.unlink(missing_ok=True)

    event.listen(session, "after_commit", remove, once=True)


def _settle_old(session: Session, settings: Settings, now: datetime) -> None:
    """Fail the exports interrupted by a stopped server; remove packs downloaded long ago."""
    for export in session.exec(
        select(EvidenceExport).where(
            col(EvidenceExport.status).in_([s.value for s in PENDING]),
            EvidenceExport.updated_at < now - STALE_AFTER,
        )
    ).all():
        before = export.status
        transition(export, Status.failed)
        export.error = N_("The export was interrupted (the server stopped). Start it again.")
        export.finished_at = now
        _event(session, export, None, "interrupted", {"status": [before, export.status]})
        _remove_after_commit(session, export_path(settings, export).with_suffix(".part"))
    for export in session.exec(
        select(EvidenceExport).where(
            EvidenceExport.status == Status.done.value,
            col(EvidenceExport.downloaded_at).is_not(None),
            EvidenceExport.downloaded_at < now - KEEP_AFTER_DOWNLOAD,
        )
    ).all():
        transition(export, Status.removed)
        export.removed_at = now
        _event(session, export, None, "removed", {"status": [Status.done.value, "removed"]})
        _remove_after_commit(session, export_path(settings, export))


def request_export(
    *, session: Session, by: User, settings: Settings, start: date, end: date, lang: str
) -> EvidenceExport:
    """Queue the export of the pack of a period; the job (qms.evidence.jobs) makes it."""
    require(by, "evidence.export")
    check_period(start, end)
    now = utcnow()
    _settle_old(session, settings, now)
    export = EvidenceExport(
        period_start=start,
        period_end=end,
        lang=lang if lang in ("vi", "en") else settings.lang,
        requested_by_id=by.id,
    )
    session.add(export)
    session.flush()
    _event(
        session,
        export,
        by,
        "requested",
        {"status": [None, export.status], "period_start": [None, start], "period_end": [None, end]},
    )
    return export


def downloadable(*, settings: Settings, by: User, export: EvidenceExport) -> Path:
    """The ZIP of a finished export, refused (409) before it is done or once removed."""
    require(by, "evidence.export", export)
    if export.status != Status.done.value:
        raise Conflict(
            "This export is %(status)s: there is no file to download.",
            field="status",
            status=Label(export.status, STATUS_LABELS[Status(export.status)]),
        )
    path = export_path(settings, export)
    if not path.exists():
        raise Conflict(
            "The file of this export is no longer in the data directory: start a new export.",
            field="status",
        )
    return path


def mark_downloaded(*, session: Session, by: User, export_id: int) -> None:
    """Stamp the first download (in its own short transaction: downloads are GET)."""
    export = get_export(session=session, export_id=export_id)
    if export.downloaded_at is not None or export.status != Status.done.value:
        return
    export.downloaded_at = utcnow()
    export.downloaded_by_id = by.id
    export.version += 1
    export.updated_at = utcnow()
    _event(session, export, by, "downloaded", {"downloaded_by_id": [None, by.id]})


def remove_export(
    *,
    session: Session,
    by: User,
    settings: Settings,
    export: EvidenceExport,
    version: int | None = None,
) -> EvidenceExport:
    """Remove the ZIP of a downloaded export (a pack is kept until it has been downloaded)."""
    REMOVE.apply(session=session, record=export, by=by, version=version)
    _remove_after_commit(session, export_path(settings, export))
    return export


# --- making the pack --------------------------------------------------------------------


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "record"


def _progress(engine, export_id: int, **values) -> None:
    with unit_of_work(engine) as session:
        session.exec(
            update(EvidenceExport)
            .where(col(EvidenceExport.id) == export_id)
            .values(updated_at=utcnow(), **values)
        )


def claim(*, engine, export_id: int | None = None) -> int | None:
    """Take the oldest queued export (or the given one) and mark it running; its id, or None
    when there is none left (another process may have taken it)."""
    with unit_of_work(engine) as session:
        query = select(EvidenceExport.id).where(EvidenceExport.status == Status.queued.value)
        if export_id is not None:
            query = query.where(EvidenceExport.id == export_id)
        found = session.exec(query.order_by(col(EvidenceExport.id)).limit(1)).first()
        if found is None:
            return None
        now = utcnow()
        taken = session.exec(
            update(EvidenceExport)
            .where(
                col(EvidenceExport.id) == found,
                EvidenceExport.status == Status.queued.value,
            )
            .values(
                status=Status.running.value,
                started_at=now,
                updated_at=now,
                version=EvidenceExport.version + 1,
            )
        )
        if taken.rowcount != 1:
            return None
        trail.record(
            session=session,
            actor=None,
            action="making_started",
            record_type=RECORD,
            record_id=found,
            changes={"status": [Status.queued.value, Status.running.value]},
        )
        return found


def make_export(*, engine, settings: Settings, export_id: int, today: date) -> None:
    """Make the ZIP of a running export: done with its size and SHA-256, or failed with the
    reason; the half-made file is removed on failure."""
    target = None
    try:
        with unit_of_work(engine, write=False) as session:
            export = get_export(session=session, export_id=export_id)
            target = export_path(settings, export)
            requested_by = (
                session.get(User, export.requested_by_id) if export.requested_by_id else None
            )
            made = write_zip(
                target=target,
                settings=settings,
                session=session,
                start=export.period_start,
                end=export.period_end,
                today=today,
                lang=export.lang,
                requester=requested_by.full_name if requested_by else "",
                on_progress=lambda done, held: _progress(
                    engine, export_id, files_done=done, files_withheld=held
                ),
            )
    except Exception as exc:
        if target is not None:
            target.with_suffix(".part").unlink(missing_ok=True)
        if isinstance(exc, QMSError):
            message = str(exc) if exc.params else exc.message
        else:
            message = N_(
                "The export failed. Start it again, and tell the administrator if it fails again."
            )
        if not isinstance(exc, QMSError):
            log.exception("evidence export %s failed", export_id)
        _finish(engine, export_id, Status.failed, error=message)
        return
    _finish(
        engine,
        export_id,
        Status.done,
        sha256=made.sha256,
        size=made.size,
        records_total=made.records,
        gaps_total=made.gaps,
        files_total=made.files,
        files_done=made.files,
        files_withheld=made.withheld,
    )


def _finish(engine, export_id: int, to: Status, **values) -> None:
    with unit_of_work(engine) as session:
        export = get_export(session=session, export_id=export_id)
        before = transition(export, to)
        export.finished_at = utcnow()
        for name, value in values.items():
            setattr(export, name, value)
        _event(
            session,
            export,
            None,
            "made" if to == Status.done else "failed",
            {"status": [before.value, to.value], "sha256": [None, export.sha256]},
            reason=export.error,
        )


@dataclass(frozen=True, slots=True)
class Made:
    sha256: str
    size: int
    records: int
    gaps: int
    files: int  # kept files found for the records of the pack (those withheld included)
    withheld: int


class _SpillingZip(zipfile.ZipFile):
    """A ZipFile that does not keep an entry in memory for every member until it is closed
    (about 400 bytes each: 8 MB for a pack of 20,000 records): `spill()` writes the central
    directory records of the members so far to a temporary file, and closing copies them
    back before the end record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._spill = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the archive)
        self._spilled = 0

    def spill(self) -> None:
        if not self.filelist:
            return
        real, start = self.fp, self.start_dir
        buffer = io.BytesIO()
        self.fp, self.start_dir = buffer, 0
        try:
            super()._write_end_record()  # the records, then a 22-byte end record for them
        finally:
            self.fp, self.start_dir = real, start
        self._spill.write(buffer.getvalue()[: -(22 + len(self._comment))])
        self._spilled += len(self.filelist)
        self.filelist.clear()
        self.NameToInfo.clear()

    def _write_end_record(self) -> None:
        self.spill()
        self._spill.seek(0)
        while chunk := self._spill.read(CHUNK):
            self.fp.write(chunk)
        self._spill.close()
        # The end of the archive as zipfile writes it, for every member spilled.
        end = self.fp.tell()
        count, size, offset = self._spilled, end - self.start_dir, self.start_dir
        if count > zipfile.ZIP_FILECOUNT_LIMIT or max(size, offset) > zipfile.ZIP64_LIMIT:
            self.fp.write(
                struct.pack(
                    zipfile.structEndArchive64,
                    zipfile.stringEndArchive64,
                    44,
                    45,
                    45,
                    0,
                    0,
                    count,
                    count,
                    size,
                    offset,
                )
            )
            self.fp.write(
                struct.pack(
                    zipfile.structEndArchive64Locator,
                    zipfile.stringEndArchive64Locator,
                    0,
                    end,
                    1,
                )
            )
            count, size, offset = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(offset, 0xFFFFFFFF)
        self.fp.write(
            struct.pack(
                zipfile.structEndArchive,
                zipfile.stringEndArchive,
                0,
                0,
                count,
                count,
                size,
                offset,
                len(self._comment),
            )
        )
        self.fp.write(self._comment)
        self.fp.flush()


class _Records:
    """The kept files of the pack's records, put into the ZIP as compile_pack finds them: a
    batch of records at a time, their current kept files looked up together, each streamed in
    chunks and listed in the manifest (a temporary file)."""

    def __init__(self, *, archive, manifest, settings, session, on_progress):
        self.archive, self.settings, self.session = archive, settings, session
        self.writer = csv.writer(manifest)
        self.writer.writerow(MANIFEST_COLUMNS)
        self.on_progress = on_progress
        self.pending: list[tuple[str, int, list[str]]] = []
        self.files = self.withheld = 0
        self.withheld_codes: list[str] = []

    def __call__(self, kind: str, record_id: int, clauses: list[str]) -> None:
        self.pending.append((kind, record_id, clauses))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        by_kind: dict[str, list[int]] = defaultdict(list)
        for kind, record_id, _clauses in self.pending:
            by_kind[kind].append(record_id)
        found = {
            kind: reports.current_for(session=self.session, record_kind=kind, record_ids=ids)
            for kind, ids in by_kind.items()
        }
        for kind, record_id, clauses in self.pending:
            kept = found[kind].get(record_id)
            if kept is not None:
                self._put(kept, clauses)
        self.pending = []
        self.archive.spill()

    def _put(self, kept: reports.KeptFile, clauses: list[str]) -> None:
        code = _safe(kept.record_code)
        # Codes are unique within a kind; one that had to be made safe gets its id.
        name = f"records/{_safe(kept.record_kind)}/{code}"
        name += ".pdf" if code == kept.record_code else f"-{kept.record_id}.pdf"
        intact = reports.kept_file_intact(settings=self.settings, kept=kept)
        if intact:
            source = reports.kept_path(settings=self.settings, kept=kept)
            info = zipfile.ZipInfo(name, date_time=_zip_time(kept.kept_at))
            info.compress_type = zipfile.ZIP_STORED
            with source.open("rb") as src, self.archive.open(info, "w", force_zip64=True) as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
        else:
            self.withheld += 1
            if len(self.withheld_codes) < INDEX_FILES:
                self.withheld_codes.append(kept.record_code)
        self.writer.writerow(
            (
                name if intact else "",
                kept.sha256,
                kept.size,
                kept.record_kind,
                kept.record_code,
                self.settings.base_url.rstrip("/") + reports.record_url(kept),
                kept.kept_at.isoformat(),
                " ".join(clauses),
                "included" if intact else "withheld",
            )
        )
        self.files += 1
        if self.on_progress is not None and self.files % PROGRESS_EVERY == 0:
            self.on_progress(self.files, self.withheld)


def write_zip(
    *,
    target: Path,
    settings: Settings,
    session: Session,
    start: date,
    end: date,
    today: date,
    lang: str,
    requester: str = "",
    on_progress=None,
) -> Made:
    """Compile the pack of the period and write its ZIP at `target` (through a .part file
    renamed at the end): every kept file streamed in chunks as its record is found,
    manifest.csv, and index.pdf (the clauses with their counts, their first INDEX_ITEMS
    records and their gaps). Memory stays flat whatever the number of records."""
    from qms.evidence import pdf

    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part")
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as manifest,
        _SpillingZip(part, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive,
    ):
        records = _Records(
            archive=archive,
            manifest=manifest,
            settings=settings,
            session=session,
            on_progress=on_progress,
        )
        pack = compile_pack(
            session=session,
            start=start,
            end=end,
            today=today,
            listed=INDEX_ITEMS,
            on_record=records,
        )
        records.flush()
        manifest.flush()
        manifest.seek(0)
        digest = hashlib.sha256()
        info = zipfile.ZipInfo("manifest.csv", date_time=_zip_time(utcnow()))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as dst:
            while text := manifest.read(CHUNK):
                data = text.encode("utf-8")
                digest.update(data)
                dst.write(data)
        manifest.seek(0)
        index = pdf.render_index(
            settings=settings,
            pack=pack,
            files=_first_rows(manifest, INDEX_FILES),
            files_total=records.files,
            withheld=records.withheld_codes,
            withheld_total=records.withheld,
            manifest_sha256=digest.hexdigest(),
            lang=lang,
            requester=requester,
        )
        info = zipfile.ZipInfo("index.pdf", date_time=_zip_time(utcnow()))
        archive.writestr(info, index, compress_type=zipfile.ZIP_STORED)
        del index
    with part.open("rb") as handle:
        os.fsync(handle.fileno())
    sha256 = _sha256_of(part)
    size = part.stat().st_size
    os.replace(part, target)
    return Made(sha256, size, pack.records, pack.gaps, records.files, records.withheld)


def _first_rows(manifest, limit: int) -> list[dict]:
    reader = csv.DictReader(manifest)
    rows = []
    for row in reader:
        if len(rows) >= limit:
            break
        rows.append(row)
    return rows


def _zip_time(instant: datetime) -> tuple[int, int, int, int, int, int]:
    moment = instant if instant.year >= 1980 else datetime(1980, 1, 1)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def export_now(
    *, engine, settings: Settings, by: User, start: date, end: date, lang: str, today: date
) -> EvidenceExport:
    """The CLI's export: queued, made and finished in this process, synchronously."""
    with unit_of_work(engine) as session:
        user = session.get(User, by.id)
        export_id = request_export(
            session=session, by=user, settings=settings, start=start, end=end, lang=lang
        ).id
    if claim(engine=engine, export_id=export_id) is not None:
        make_export(engine=engine, settings=settings, export_id=export_id, today=today)
    with unit_of_work(engine, write=False) as session:
        return get_export(session=session, export_id=export_id)


def has_queued(*, engine) -> bool:
    with unit_of_work(engine, write=False) as session:
        found = session.exec(
            select(EvidenceExport.id).where(EvidenceExport.status == Status.queued.value).limit(1)
        ).first()
        return found is not None
