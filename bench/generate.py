"""Fill a fresh database with a large organisation, fast (bulk inserts, one hash per password).

    python -m bench.generate --scale 1.0 --data-dir var/bench [--url postgresql+psycopg://...]

Full scale (1.0): 200 users in 20 departments, 10,000 controlled documents with 3 revisions
each and their acknowledgements, 500 audits of 120 items each, 20,000 nonconformities with
about 40,000 corrective actions, and the trail all this leaves (hash-chained, so
`qms trail verify` passes). People and departments do not scale; records do.

Each domain has its own function; a domain whose tables are not in this schema is skipped
with a note. Records get explicit ids (PostgreSQL sequences are moved past them after).
The ids, bearer tokens and session cookies of the benchmark's people are written to
DATA_DIR/bench.json for the other benchmark sections.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import yaml
from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlmodel import SQLModel

from qms import db
from qms.auth import passwords
from qms.auth.service import token_digest
from qms.config import Settings, load_settings
from qms.migrate import upgrade
from qms.registry import load_models
from qms.trail.service import GENESIS, canonical_json, event_hash

PASSWORD = "bench-password-1"
CHUNK = 2000
DEPARTMENTS = 20
USERS = 200
CLAUSES = ["4.4", "7.1.5", "7.2", "7.5.2", "7.5.3", "8.2.1", "8.4.1", "8.5.1", "8.7", "9.2.2"]
CLAUSES += ["10.2.1", "6.1"]
_TEXT = (
    "hồ sơ thủ tục hành chính tiếp nhận trả kết quả kiểm soát tài liệu quy trình biểu mẫu "
    "đánh giá nội bộ hành động khắc phục rủi ro cơ hội khách hàng phản ánh kiến nghị lưu trữ "
    "đo lường theo dõi mục tiêu chất lượng năng lực đào tạo nhà cung cấp dịch vụ công"
)
WORDS = _TEXT.split()


def words(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n))


@dataclass
class Event:
    """A trail event before it is chained: chaining happens once, over all domains, by time."""

    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    record_type: str
    record_id: int
    changes: dict
    reason: str = ""


@dataclass
class World:
    """What the domain generators share: the connection, the people, the collected events."""

    conn: Connection
    scale: float
    rnd: random.Random
    today: date
    now: datetime
    people: dict[int, dict] = field(default_factory=dict)  # id -> {name, department_id, roles}
    managers: dict[int, int] = field(default_factory=dict)  # department id -> manager id
    auditors: list[int] = field(default_factory=list)
    quality_officers: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    timings: list[tuple[str, int, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def n(self, full: int) -> int:
        return max(1, round(full * self.scale))

    def table(self, name: str) -> Table | None:
        from sqlmodel import SQLModel

        return SQLModel.metadata.tables.get(name)

    def insert(self, table: Table | str, rows: list[dict]) -> None:
        if isinstance(table, str):
            table = self.table(table)
        started = time.perf_counter()
        for start in range(0, len(rows), CHUNK):
            self.conn.execute(insert(table), rows[start : start + CHUNK])
        self.timings.append((table.name, len(rows), time.perf_counter() - started))

    def event(self, at, actor_id, action, record_type, record_id, changes=None, reason=""):
        name = self.people[actor_id]["full_name"] if actor_id else "system"
        self.events.append(
            Event(at, actor_id, name, action, record_type, record_id, changes or {}, reason)
        )

    def moment(self, day: date, hour: int | None = None) -> datetime:
        """An instant during office hours of the day (UTC), never in the future."""
        hour = hour if hour is not None else self.rnd.randint(1, 9)
        at = datetime(day.year, day.month, day.day, hour, self.rnd.randint(0, 59), tzinfo=UTC)
        at += timedelta(seconds=self.rnd.randint(0, 59), microseconds=self.rnd.randint(0, 999999))
        return min(at, self.now - timedelta(minutes=1))


def stamp(at: datetime) -> dict:
    return {"version": 1, "created_at": at, "updated_at": at}


# --- people -----------------------------------------------------------------------------------


def gen_people(w: World) -> None:
    """20 departments, 200 people: an admin, 2 quality officers, a manager and an auditor per
    department, staff; bearer tokens and sign-in sessions for the benchmark's people."""
    start = w.moment(w.today - timedelta(days=1200), 1)
    w.insert(
        "department",
        [
            {
                "id": d,
                "code": f"P{d:02d}",
                "name": f"Phòng {d:02d} {words(w.rnd, 2)}",
                **stamp(start),
            }
            for d in range(1, DEPARTMENTS + 1)
        ],
    )
    for d in range(1, DEPARTMENTS + 1):
        w.event(start, None, "department_created", "department", d, {"code": [None, f"P{d:02d}"]})
    # Hashing a password is deliberately slow (argon2): once for everybody.
    password_hash = passwords.hash_password(PASSWORD)
    users, roles = [], []
    for uid in range(1, USERS + 1):
        department = (uid - 1) % DEPARTMENTS + 1
        kind = ["staff"]
        if uid == 1:
            kind = ["admin"]
        elif uid in (2, 3):
            kind = ["quality_officer", "auditor"]
        elif 4 <= uid < 4 + DEPARTMENTS:
            department = uid - 3
            kind = ["manager"]
            w.managers[department] = uid
        elif 4 + DEPARTMENTS <= uid < 4 + 2 * DEPARTMENTS:
            kind = ["auditor"]
        name = f"Nguyễn Văn {uid:03d}"
        users.append(
            {
                "id": uid,
                "email": f"u{uid:03d}@bench.example",
                "full_name": name,
                "position_title": "Chuyên viên" if "staff" in kind else "Trưởng phòng",
                "department_id": department,
                "password_hash": password_hash,
                "is_active": True,
                "lang": "vi",
                "email_notifications": False,
                **stamp(start),
            }
        )
        roles += [{"user_id": uid, "role": r} for r in kind]
        w.people[uid] = {"full_name": name, "department_id": department, "roles": kind}
        if "auditor" in kind:
            w.auditors.append(uid)
        if "quality_officer" in kind:
            w.quality_officers.append(uid)
        if kind == ["staff"]:
            w.staff.append(uid)
    w.insert("user_account", users)
    w.insert("user_role", roles)
    for uid in w.people:
        w.event(
            start, 1, "user_created", "user", uid, {"email": [None, f"u{uid:03d}@bench.example"]}
        )

    # Who the benchmark acts as, by role (a manager of department 1, its staff, an auditor).
    cast = {
        "admin": 1,
        "quality_officer": 2,
        "manager": w.managers[1],
        "auditor": w.auditors[2],
        "staff": next(u for u in w.staff if w.people[u]["department_id"] == 1),
    }
    tokens, cookies, token_rows, session_rows = {}, {}, [], []
    for uid in w.people:
        token = "qms_" + secrets.token_urlsafe(32)
        tokens[uid] = token
        token_rows.append(
            {
                "id": uid,
                "token_hash": token_digest(token),
                "user_id": uid,
                "name": "bench",
                "created_at": w.now,
            }
        )
    for i, uid in enumerate(cast.values(), start=1):
        cookie = secrets.token_urlsafe(32)
        cookies[uid] = cookie
        session_rows.append(
            {
                "id": i,
                "token_hash": token_digest(cookie),
                "user_id": uid,
                "created_at": w.now,
                "last_seen_at": w.now,
                "ip": "127.0.0.1",
            }
        )
    w.insert("api_token", token_rows)
    w.insert("login_session", session_rows)
    w.extra.update(
        cast=cast,
        tokens={str(k): v for k, v in tokens.items()},
        cookies={str(k): v for k, v in cookies.items()},
        managers={str(k): v for k, v in w.managers.items()},
        password=PASSWORD,
    )


# --- nonconformities ----------------------------------------------------------------------------


def gen_nonconformities(w: World) -> None:
    """20,000 nonconformities over three years, most closed, with ~40,000 corrective actions,
    their effectiveness checks and closure signatures."""
    if w.table("nonconformity") is None:
        w.notes.append("nonconformities: not in this schema, skipped")
        return
    rnd, count = w.rnd, w.n(20_000)
    raised = sorted(w.today - timedelta(days=rnd.randint(0, 1095)) for _ in range(count))
    ncs, actions, checks, signatures, counters = [], [], [], [], {}
    action_id = check_id = 0
    signature_id = w.extra.get("signature_id", 0)
    audit_links = w.extra.pop("nc_audit_links", [])
    for nc_id, raised_on in enumerate(raised, start=1):
        age = (w.today - raised_on).days
        roll = rnd.random()
        # Most are dealt with within a few months; a few old ones stay stuck (overdue).
        if age > 180:
            status = (
                "closed" if roll < 0.985 else ("cancelled" if roll < 0.995 else "action_planned")
            )
        elif age > 60:
            status = ["closed", "verifying", "action_planned", "investigating"][
                0 if roll < 0.75 else 1 if roll < 0.87 else 2 if roll < 0.97 else 3
            ]
        else:
            status = ["open", "investigating", "action_planned", "verifying"][
                0 if roll < 0.3 else 1 if roll < 0.55 else 2 if roll < 0.9 else 3
            ]
        department = rnd.randint(1, DEPARTMENTS)
        owner = w.managers[department]
        reporter = rnd.choice(w.auditors)
        counters[raised_on.year] = counters.get(raised_on.year, 0) + 1
        code = f"NC-{raised_on.year}-{counters[raised_on.year]:04d}"
        at = w.moment(raised_on)
        audit_id = item_id = None
        if audit_links and rnd.random() < 0.3:
            audit_id, item_id = audit_links.pop()
        row = {
            "id": nc_id,
            "code": code,
            "status": status,
            "source": "internal_audit"
            if audit_id
            else rnd.choice(
                ["external_audit", "customer_complaint", "process_monitoring", "supplier", "other"]
            ),
            "department_id": department,
            "clause": rnd.choice(CLAUSES),
            "severity": "major" if rnd.random() < 0.15 else "minor",
            "description": f"{code}: {words(rnd, 25)}",
            "reporter_id": reporter,
            "owner_id": owner,
            "audit_id": audit_id,
            "checklist_item_id": item_id,
            "raised_on": raised_on,
            "detected_on": raised_on,
            "containment": "",
            "root_cause_method": None,
            "whys": [],
            "root_cause": "",
            "investigated_at": None,
            "check_due_on": None,
            "closed_at": None,
            "closed_by_id": None,
            "signature_id": None,
            "cancelled_at": None,
            "cancelled_by_id": None,
            "cancel_reason": "",
            **stamp(at),
        }
        w.event(at, reporter, "raised", "nonconformity", nc_id, {"code": [None, code]})
        last = at
        if status not in ("open", "cancelled"):
            last = at + timedelta(days=rnd.randint(1, 5))
            row.update(
                containment=words(rnd, 12),
                root_cause_method="five_whys",
                whys=[words(rnd, 6) for _ in range(3)],
                root_cause=words(rnd, 15),
                investigated_at=last,
            )
            w.event(
                last,
                owner,
                "investigated",
                "nonconformity",
                nc_id,
                {"status": ["open", "investigating"]},
            )
        if status in ("action_planned", "verifying", "closed"):
            done_all = status != "action_planned"
            latest_done = None
            for _ in range(3 if rnd.random() < 0.22 else 2):
                action_id += 1
                due_on = raised_on + timedelta(days=rnd.randint(20, 90))
                done_on = None
                if done_all:
                    done_on = min(due_on - timedelta(days=rnd.randint(0, 15)), w.today)
                    done_on = max(done_on, raised_on)
                    latest_done = max(latest_done or done_on, done_on)
                action_owner = rnd.choice(
                    [owner, *(u for u in w.staff[department - 1 :: DEPARTMENTS][:3])]
                )
                actions.append(
                    {
                        "id": action_id,
                        "nonconformity_id": nc_id,
                        "description": words(rnd, 14),
                        "owner_id": action_owner,
                        "due_on": due_on,
                        "done_on": done_on,
                        "completed_at": w.moment(done_on) if done_on else None,
                        "evidence": words(rnd, 8) if done_on else "",
                        "planned_by_id": owner,
                        **stamp(last),
                    }
                )
                w.event(
                    last,
                    owner,
                    "action_planned",
                    "corrective_action",
                    action_id,
                    {"due_on": [None, due_on]},
                )
                if done_on:
                    w.event(
                        w.moment(done_on),
                        action_owner,
                        "action_completed",
                        "corrective_action",
                        action_id,
                        {"done_on": [None, done_on]},
                    )
            if done_all:
                row["check_due_on"] = latest_done + timedelta(days=30)
            if status == "closed":
                checked_on = min(row["check_due_on"], w.today)
                check_id += 1
                verifier = rnd.choice(w.quality_officers)
                checks.append(
                    {
                        "id": check_id,
                        "nonconformity_id": nc_id,
                        "verifier_id": verifier,
                        "result": "effective",
                        "comment": words(rnd, 8),
                        "due_on": row["check_due_on"],
                        "checked_on": checked_on,
                        "checked_at": w.moment(checked_on),
                    }
                )
                w.event(
                    w.moment(checked_on),
                    verifier,
                    "verified",
                    "nonconformity",
                    nc_id,
                    {"result": [None, "effective"]},
                )
                closed_at = w.moment(checked_on) + timedelta(hours=1)
                closed_at = min(closed_at, w.now - timedelta(seconds=30))
                signature_id += 1
                digest = hashlib.sha256(code.encode()).hexdigest()
                signatures.append(
                    {
                        "id": signature_id,
                        "at": closed_at,
                        "signer_id": owner,
                        "signer_name": w.people[owner]["full_name"],
                        "signer_title": "Trưởng phòng",
                        "meaning": "closed",
                        "record_type": "nonconformity",
                        "record_id": nc_id,
                        "content_hash": digest,
                        "comment": "",
                        "voided_at": None,
                    }
                )
                row.update(closed_at=closed_at, closed_by_id=owner, signature_id=signature_id)
                w.event(
                    closed_at,
                    owner,
                    "signed:closed",
                    "nonconformity",
                    nc_id,
                    {"content_hash": [None, digest], "signature_id": [None, signature_id]},
                )
                w.event(
                    closed_at,
                    owner,
                    "closed",
                    "nonconformity",
                    nc_id,
                    {"status": ["verifying", "closed"]},
                )
        if status == "cancelled":
            cancelled = at + timedelta(days=2)
            row.update(cancelled_at=cancelled, cancelled_by_id=2, cancel_reason=words(rnd, 6))
            w.event(
                cancelled, 2, "cancelled", "nonconformity", nc_id, {"status": ["open", "cancelled"]}
            )
        ncs.append(row)
    w.extra["signature_id"] = signature_id
    w.insert("signature", signatures)
    w.insert("nonconformity", ncs)
    w.insert("corrective_action", actions)
    w.insert("effectiveness_check", checks)
    w.extra.setdefault("counters", []).extend(
        {"name": "NC", "year": y, "last": n} for y, n in counters.items()
    )


# --- documents -------------------------------------------------------------------------------------


KINDS = (
    ["procedure"] * 5 + ["work_instruction"] * 3 + ["form"] * 3 + ["policy", "manual", "external"]
)


def _procedure_text() -> list[str]:
    """Paragraphs of the shipped procedures: realistic Markdown to cut revisions from."""
    from bench.common import ROOT

    paragraphs = []
    for path in sorted((ROOT / "procedures_docs").glob("*.md")):
        body = path.read_text().split("---", 2)[-1]
        paragraphs += [p.strip() for p in body.split("\n\n") if len(p.strip()) > 40]
    return paragraphs


def gen_documents(w: World) -> None:
    """10,000 controlled documents, 3 revisions each (two superseded, one effective, with
    their review and approval signatures), distributed to their department, whose staff
    acknowledged the effective revision; the search index."""
    if w.table("controlled_document") is None:
        w.notes.append("documents: not in this schema, skipped")
        return
    from qms.documents import search
    from qms.documents.content import content_hash

    rnd, count = w.rnd, w.n(10_000)
    paragraphs = _procedure_text()
    docs, clauses, distribution, revisions, signatures, acks, index = [], [], [], [], [], [], []
    signature_id = w.extra.get("signature_id", 0)
    revision_id = ack_id = 0
    people_of: dict[int, list[int]] = {}
    for uid, person in w.people.items():
        people_of.setdefault(person["department_id"], []).append(uid)
    for doc_id in range(1, count + 1):
        department = rnd.randint(1, DEPARTMENTS)
        kind = rnd.choice(KINDS)
        prefix = {"procedure": "QT", "work_instruction": "HD", "form": "BM", "policy": "CS"}
        code = f"{prefix.get(kind, 'TL')}-{doc_id:05d}"
        title = f"{words(rnd, 3).capitalize()} {words(rnd, 4)}"
        owner = w.managers[department]
        created = w.moment(w.today - timedelta(days=rnd.randint(400, 1100)))
        interval = rnd.choice([12, 12, 24, 36])
        doc_clauses = sorted(set(rnd.sample(CLAUSES, 2)))
        clauses += [{"document_id": doc_id, "clause": c} for c in doc_clauses]
        distribution.append(
            {"document_id": doc_id, "department_id": department, "created_at": created}
        )
        w.event(
            created,
            owner,
            "created",
            "document",
            doc_id,
            {"code": [None, code], "title": [None, title]},
        )
        at = created
        effective_text = ""
        effective_on = None
        for number in range(3):
            revision_id += 1
            start = rnd.randrange(len(paragraphs))
            content_md = "\n\n".join(paragraphs[start : start + 4]) or paragraphs[0]
            digest = content_hash(content_md, None)
            author = rnd.choice(people_of[department])
            # Reviewed by a quality officer, approved by the department's manager.
            reviewer, approver = rnd.choice(w.quality_officers), w.managers[department]
            submitted = at + timedelta(days=rnd.randint(1, 10))
            reviewed = submitted + timedelta(days=rnd.randint(1, 5))
            approved = reviewed + timedelta(days=rnd.randint(1, 5))
            published = approved + timedelta(days=1)
            this_effective = published.date()
            last = number == 2
            for meaning, signer, when in (
                ("reviewed", reviewer, reviewed),
                ("approved", approver, approved),
            ):
                signature_id += 1
                signatures.append(
                    {
                        "id": signature_id,
                        "at": when,
                        "signer_id": signer,
                        "signer_name": w.people[signer]["full_name"],
                        "signer_title": "Trưởng phòng",
                        "meaning": meaning,
                        "record_type": "revision",
                        "record_id": revision_id,
                        "content_hash": digest,
                        "comment": "",
                        "voided_at": None,
                    }
                )
                w.event(
                    when,
                    signer,
                    f"signed:{meaning}",
                    "revision",
                    revision_id,
                    {"content_hash": [None, digest], "signature_id": [None, signature_id]},
                )
                w.event(when, signer, meaning, "revision", revision_id, {"status": [None, meaning]})
            revisions.append(
                {
                    "id": revision_id,
                    "document_id": doc_id,
                    "number": number,
                    "status": "effective" if last else "superseded",
                    "content_md": content_md,
                    "change_summary": words(rnd, 8),
                    "file_sha256": None,
                    "file_name": "",
                    "file_type": "",
                    "file_size": None,
                    "content_hash": digest,
                    "source_path": "",
                    "source_sha256": None,
                    "author_id": author,
                    "reviewer_id": reviewer,
                    "approver_id": approver,
                    "review_signature_id": signature_id - 1,
                    "approval_signature_id": signature_id,
                    "submitted_at": submitted,
                    "reviewed_at": reviewed,
                    "approved_at": approved,
                    "published_at": published,
                    "published_by_id": 2,
                    "effective_on": this_effective,
                    "superseded_on": None,
                    "return_comment": "",
                    **stamp(at),
                }
            )
            if number:
                revisions[-2]["superseded_on"] = this_effective
                w.event(
                    published,
                    2,
                    "superseded",
                    "revision",
                    revision_id - 1,
                    {"status": ["effective", "superseded"]},
                )
            w.event(
                at, author, "revision_created", "revision", revision_id, {"number": [None, number]}
            )
            w.event(
                submitted,
                author,
                "submitted",
                "revision",
                revision_id,
                {"status": ["draft", "in_review"]},
            )
            w.event(
                published,
                2,
                "published",
                "revision",
                revision_id,
                {"status": ["approved", "effective"]},
            )
            effective_text, effective_on = content_md, this_effective
            at = published + timedelta(days=rnd.randint(60, 200))
            at = min(at, w.now - timedelta(days=3))
        for uid in people_of[department]:
            if rnd.random() < 0.9:
                ack_id += 1
                when = min(
                    w.moment(effective_on + timedelta(days=rnd.randint(0, 20))),
                    w.now - timedelta(minutes=5),
                )
                acks.append(
                    {
                        "id": ack_id,
                        "revision_id": revision_id,
                        "user_id": uid,
                        "acknowledged_at": when,
                    }
                )
                w.event(when, uid, "acknowledged", "revision", revision_id, {})
        # Reviews are kept up (a periodic review re-dates the next one); a few are late.
        if rnd.random() < 0.02:
            next_review = w.today - timedelta(days=rnd.randint(1, 60))
        else:
            next_review = w.today + timedelta(days=rnd.randint(1, 30 * interval))
        docs.append(
            {
                "id": doc_id,
                "code": code,
                "title": title,
                "kind": kind,
                "department_id": department,
                "owner_id": owner,
                "review_interval_months": interval,
                "next_review_on": next_review,
                "status": "effective",
                "obsolete_on": None,
                "obsolete_reason": "",
                **stamp(created),
            }
        )
        index.append({"id": doc_id, "body": search.fold(" ".join((code, title, effective_text)))})
    w.extra["signature_id"] = signature_id
    w.insert("controlled_document", docs)
    w.insert("document_clause", clauses)
    w.insert("document_distribution", distribution)
    w.insert("signature", signatures)
    w.insert("revision", revisions)
    w.insert("acknowledgement", acks)
    started = time.perf_counter()
    if w.conn.dialect.name == "postgresql":
        statement = text("INSERT INTO fts_document (document_id, body) VALUES (:id, :body)")
    else:
        statement = text("INSERT INTO fts_document (rowid, body) VALUES (:id, :body)")
    for start in range(0, len(index), CHUNK):
        w.conn.execute(statement, index[start : start + CHUNK])
    w.timings.append(("fts_document", len(index), time.perf_counter() - started))


# --- audits ------------------------------------------------------------------------------------------

ANSWERS = ["conform"] * 14 + ["observation", "improvement", "not_applicable", "minor_nc"]


def _template_items() -> tuple[dict, list[dict]]:
    from bench.common import ROOT

    template = yaml.safe_load((ROOT / "audits" / "iso9001-2015.yaml").read_text())
    items = [
        {"clause": section["clause"], "section": section["title"], **item}
        for section in template["sections"]
        for item in section["items"]
    ]
    return template["title"], items


def gen_audits(w: World) -> None:
    """500 audits of 120 checklist items (60,000 answers): most closed, some in progress
    (partly answered, led by the benchmark's auditor), some planned; a minor
    nonconformity answer raises a nonconformity (made by gen_nonconformities)."""
    if w.table("audit_checklist_item") is None:
        w.notes.append("audits: not in this schema, skipped")
        return
    rnd = w.rnd
    count = w.extra.get("audits", w.n(500))
    per_audit = w.extra.get("items_per_audit", 120)
    title, template = _template_items()
    lead_of_cast = w.extra["cast"]["auditor"]
    years = sorted({(w.today - timedelta(days=d)).year for d in (0, 400, 800, 1150)})
    programmes = [
        {
            "id": i,
            "year": y,
            "objectives": words(rnd, 10),
            "created_by_id": 2,
            **stamp(w.moment(date(y, 1, 5))),
        }
        for i, y in enumerate(years, start=1)
    ]
    programme_of = {p["year"]: p["id"] for p in programmes}
    audits, team, checklists, items, counters = [], [], [], [], {}
    item_id = 0
    started_audits, answerable, links = [], [], []
    for audit_id in range(1, count + 1):
        roll = rnd.random()
        if audit_id > count - max(1, round(count * 0.05)):
            status, start = "in_progress", w.today - timedelta(days=rnd.randint(0, 5))
        elif audit_id > count - max(1, round(count * 0.08)) and count > 2:
            status, start = "planned", w.today + timedelta(days=rnd.randint(3, 60))
        else:
            status = "closed" if roll < 0.97 else "cancelled"
            start = w.today - timedelta(days=rnd.randint(20, 1150))
        if start.year not in programme_of:
            start = date(years[-1], 6, 1) if start.year > years[-1] else date(years[0], 6, 1)
        department = rnd.randint(1, DEPARTMENTS)
        lead = lead_of_cast if status == "in_progress" else rnd.choice(w.auditors)
        if w.people[lead]["department_id"] == department:
            department = department % DEPARTMENTS + 1
        other = next(a for a in rnd.sample(w.auditors, len(w.auditors)) if a != lead)
        counters[start.year] = counters.get(start.year, 0) + 1
        code = f"IA-{start.year}-{counters[start.year]:02d}"
        created = w.moment(start - timedelta(days=30))
        began = w.moment(start) if status != "planned" else None
        row = {
            "id": audit_id,
            "code": code,
            "programme_id": programme_of[start.year],
            "title": f"Đánh giá nội bộ Phòng {department:02d}",
            "scope": words(rnd, 12),
            "criteria": "TCVN ISO 9001:2015; " + words(rnd, 5),
            "department_id": department,
            "lead_auditor_id": lead,
            "planned_start_on": start,
            "planned_end_on": start + timedelta(days=2),
            "template_keys": ["iso9001-2015"],
            "status": status,
            "created_by_id": 2,
            "started_at": began,
            "started_by_id": lead if began else None,
            "summary": "",
            "strengths": "",
            "reported_at": None,
            "reported_by_id": None,
            "report_signature_id": None,
            "report_sha256": None,
            "report_size": None,
            "closed_at": None,
            "closed_by_id": None,
            "close_note": "",
            "carried_over_ids": [],
            "cancelled_at": None,
            "cancelled_by_id": None,
            "cancel_reason": "",
            **stamp(created),
        }
        team += [{"audit_id": audit_id, "user_id": lead}, {"audit_id": audit_id, "user_id": other}]
        w.event(created, 2, "created", "audit", audit_id, {"code": [None, code]})
        if status == "cancelled":
            row.update(
                status="cancelled",
                cancelled_at=created + timedelta(days=3),
                cancelled_by_id=2,
                cancel_reason=words(rnd, 5),
                started_at=None,
                started_by_id=None,
            )
            w.event(
                created + timedelta(days=3),
                2,
                "cancelled",
                "audit",
                audit_id,
                {"status": ["planned", "cancelled"]},
            )
            audits.append(row)
            continue
        audits.append(row)
        if began is None:
            continue
        w.event(began, lead, "started", "audit", audit_id, {"status": ["planned", "in_progress"]})
        checklists.append(
            {
                "id": audit_id,
                "audit_id": audit_id,
                "template_key": "iso9001-2015",
                "position": 0,
                "title_vi": title["vi"],
                "title_en": title["en"],
                **stamp(began),
            }
        )
        answered_share = (
            1.0 if status == "closed" or w.extra.get("answer_all") else rnd.uniform(0.2, 0.6)
        )
        for position in range(per_audit):
            item_id += 1
            t = template[position % len(template)]
            lap = position // len(template)
            answer = rnd.random() < answered_share
            result = rnd.choice(ANSWERS) if answer else None
            when = (
                min(began + timedelta(minutes=3 * position), w.now - timedelta(minutes=2))
                if answer
                else None
            )
            evidence = words(rnd, 10) if answer else ""
            items.append(
                {
                    "id": item_id,
                    "checklist_id": audit_id,
                    "audit_id": audit_id,
                    "position": position,
                    "clause": t["clause"],
                    "section_title_vi": t["section"]["vi"],
                    "section_title_en": t["section"]["en"],
                    "ref": t["ref"] if not lap else f"{t['ref']}.{lap}",
                    "question_vi": t["question"]["vi"],
                    "question_en": t["question"]["en"],
                    "guidance_vi": t["guidance"]["vi"],
                    "guidance_en": t["guidance"]["en"],
                    "result": result,
                    "evidence": evidence,
                    "answered_at": when,
                    "answered_by_id": lead if answer else None,
                    **stamp(when or began),
                    "version": 2 if answer else 1,
                }
            )
            if answer:
                w.event(
                    when,
                    lead,
                    "answered",
                    "checklist_item",
                    item_id,
                    {"result": [None, result], "evidence": ["", evidence]},
                )
                if result == "minor_nc":
                    links.append((audit_id, item_id))
            elif status == "in_progress":
                answerable.append(item_id)
        if status == "in_progress":
            started_audits.append(audit_id)
            continue
        reported = w.moment(start + timedelta(days=rnd.randint(3, 10)))
        closed = reported + timedelta(days=rnd.randint(10, 60))
        closed = min(closed, w.now - timedelta(minutes=1))
        reported = min(reported, closed - timedelta(seconds=1))
        w.extra["signature_id"] = w.extra.get("signature_id", 0) + 1
        digest = hashlib.sha256(code.encode()).hexdigest()
        w.extra.setdefault("audit_signatures", []).append(
            {
                "id": w.extra["signature_id"],
                "at": reported,
                "signer_id": lead,
                "signer_name": w.people[lead]["full_name"],
                "signer_title": "Chuyên viên",
                "meaning": "reported",
                "record_type": "audit",
                "record_id": audit_id,
                "content_hash": digest,
                "comment": "",
                "voided_at": None,
            }
        )
        row.update(
            summary=words(rnd, 30),
            strengths=words(rnd, 10),
            reported_at=reported,
            reported_by_id=lead,
            report_signature_id=w.extra["signature_id"],
            closed_at=closed,
            closed_by_id=2,
            close_note="",
        )
        w.event(
            reported,
            lead,
            "signed:reported",
            "audit",
            audit_id,
            {"content_hash": [None, digest], "signature_id": [None, w.extra["signature_id"]]},
        )
        w.event(
            reported, lead, "reported", "audit", audit_id, {"status": ["in_progress", "reported"]}
        )
        w.event(closed, 2, "closed", "audit", audit_id, {"status": ["reported", "closed"]})
    w.insert("audit_programme", programmes)
    w.insert("signature", w.extra.pop("audit_signatures", []))
    w.insert("internal_audit", audits)
    w.insert("audit_team_member", team)
    w.insert("audit_checklist", checklists)
    w.insert("audit_checklist_item", items)
    if "code_counter" in SQLModel.metadata.tables:
        w.extra.setdefault("counters", []).extend(
            {"name": "IA", "year": y, "last": n} for y, n in counters.items()
        )
    rnd.shuffle(links)
    w.extra["nc_audit_links"] = links
    w.extra["started_audits"] = started_audits
    w.extra["answerable_items"] = answerable[:2000]


# --- the trail ------------------------------------------------------------------------------------


def write_trail(w: World) -> None:
    """Chain every collected event, in time order, exactly as qms.trail.service.record would."""
    w.events.sort(key=lambda e: e.at)
    started = time.perf_counter()
    rows, prev = [], GENESIS
    for seq, e in enumerate(w.events, start=1):
        row = {
            "id": seq,
            "seq": seq,
            "at": e.at,
            "actor_id": e.actor_id,
            "actor_name": e.actor_name,
            "action": e.action,
            "record_type": e.record_type,
            "record_id": e.record_id,
            "changes": canonical_json(e.changes),
            "reason": e.reason,
            "prev_hash": prev,
        }
        # The service's own hash function, over the same fields the service would store.
        prev = row["hash"] = event_hash(SimpleNamespace(**row))
        rows.append(row)
    w.timings.append(("trail_event (hashing)", len(rows), time.perf_counter() - started))
    w.insert("trail_event", rows)


def fix_sequences(w: World) -> None:
    """PostgreSQL: move each id sequence past the ids given explicitly."""
    if w.conn.dialect.name != "postgresql":
        return
    from sqlmodel import SQLModel

    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            w.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def gen_objectives(w: World) -> None:
    """200 monthly indicators (5 per objective) over the last five years: 60 months of
    figures in all, each indicator with the 12 months of its objective's year (this year's
    up to last month), judged against a 95 % target."""
    if w.table("objective") is None:
        w.notes.append("objectives: not in this schema, skipped")
        return
    from qms.objectives import service as objectives
    from qms.objectives.models import Indicator

    rnd, count = w.rnd, w.n(200)
    per_year = max(1, count // 5)
    rows, indicators, measurements, counters = [], [], [], {}
    indicator_id = measurement_id = 0
    first_year = w.today.year - 4
    for n in range(count):
        year = first_year + min(n // per_year, 4)
        objective_id = n // 5 + 1
        if n % 5 == 0:
            department = rnd.randint(1, DEPARTMENTS)
            counters[year] = counters.get(year, 0) + 1
            code = f"MT-{year}-{counters[year]:02d}"
            at = w.moment(date(year, 1, 5))
            rows.append(
                {
                    "id": objective_id,
                    "code": code,
                    "year": year,
                    "title": f"{code}: {words(rnd, 10)}",
                    "status": "active" if year == w.today.year else "achieved",
                    "department_id": department,
                    "owner_id": w.managers[department],
                    "plan": words(rnd, 30),
                    "resources": words(rnd, 8),
                    "responsible": words(rnd, 5),
                    "due_on": date(year, 12, 31),
                    "evaluation": words(rnd, 12),
                    "created_by_id": w.quality_officers[0],
                    "evaluation_comment": "",
                    "cancel_reason": "",
                    "indicators_numbered": 5,
                    **stamp(at),
                }
            )
            w.event(
                at,
                w.quality_officers[0],
                "created",
                "objective",
                objective_id,
                {"code": [None, code]},
            )
        indicator_id += 1
        indicator = Indicator(
            id=indicator_id,
            objective_id=objective_id,
            code=f"{rows[-1]['code']}.{n % 5 + 1}",
            name=words(rnd, 6),
            unit="%",
            kind="ratio",
            direction="higher_is_better",
            target=95.0,
            at_risk_margin=2.0,
            frequency="monthly",
            data_owner_id=rows[-1]["owner_id"],
        )
        indicators.append({**indicator.model_dump(), **stamp(rows[-1]["created_at"])})
        for period, start, end in objectives.periods_of("monthly", year):
            if end >= w.today:
                break
            denominator = rnd.randint(200, 1200)
            numerator = min(denominator, round(denominator * rnd.uniform(0.88, 1.0)))
            measurement_id += 1
            at = w.moment(min(end + timedelta(days=5), w.today))
            measurements.append(
                {
                    "id": measurement_id,
                    "indicator_id": indicator_id,
                    "period": period,
                    "period_start_on": start,
                    "period_end_on": end,
                    "numerator": numerator,
                    "denominator": denominator,
                    "value": 100.0 * numerator / denominator,
                    "status": objectives.judge(indicator, 100.0 * numerator / denominator).value,
                    "note": "",
                    "entered_by_id": indicator.data_owner_id,
                    "nonconformity_id": None,
                    **stamp(at),
                }
            )
            w.event(
                at,
                indicator.data_owner_id,
                "measured",
                "measurement",
                measurement_id,
                {
                    "period": [None, period],
                    "numerator": [None, numerator],
                    "denominator": [None, denominator],
                },
            )
    w.insert("objective", rows)
    w.insert("indicator", indicators)
    w.insert("measurement", measurements)
    w.extra["objective_indicators"] = indicator_id
    w.extra.setdefault("counters", []).extend(
        {"name": "MT", "year": y, "last": n} for y, n in counters.items()
    )


def gen_risks(w: World) -> None:
    """5,000 register entries of risks and opportunities over three years (one in ten an
    opportunity), each with its inherent assessment, most re-assessed, treatment actions
    for those being treated, and their trail events."""
    if w.table("risk") is None:
        w.notes.append("risks: not in this schema, skipped")
        return
    from qms.risks.models import level_for

    rnd, count = w.rnd, w.n(5_000)
    raised = sorted(w.today - timedelta(days=rnd.randint(0, 1095)) for _ in range(count))
    risks, assessments, actions, counters = [], [], [], {}
    assessment_id = action_id = 0
    for risk_id, raised_on in enumerate(raised, start=1):
        age = (w.today - raised_on).days
        roll = rnd.random()
        if age > 365:
            status = "closed" if roll < 0.7 else "monitored"
        else:
            status = ["open", "treating", "monitored"][0 if roll < 0.3 else 1 if roll < 0.7 else 2]
        kind = "opportunity" if rnd.random() < 0.1 else "risk"
        department = rnd.randint(1, DEPARTMENTS)
        owner = w.managers[department]
        counters[raised_on.year] = counters.get(raised_on.year, 0) + 1
        code = f"RR-{raised_on.year}-{counters[raised_on.year]:03d}"
        likelihood, impact = rnd.randint(1, 5), rnd.randint(1, 5)
        at = w.moment(raised_on)
        assessment_id += 1
        assessments.append(
            {
                "id": assessment_id,
                "risk_id": risk_id,
                "kind": "inherent",
                "likelihood": likelihood,
                "impact": impact,
                "score": likelihood * impact,
                "level": level_for(likelihood * impact).value,
                "previous_score": None,
                "comment": "",
                "assessed_on": raised_on,
                "assessed_at": at,
                "assessed_by_id": owner,
            }
        )
        w.event(at, owner, "raised", "risk", risk_id, {"code": [None, code]})
        treatment = None
        if status != "open":
            treatment = (
                "pursue" if kind == "opportunity" else rnd.choice(["mitigate", "avoid", "transfer"])
            )
            for n in range(rnd.randint(1, 2)):
                action_id += 1
                due_on = raised_on + timedelta(days=rnd.randint(14, 90))
                done_on = None if status == "treating" and n == 0 else min(due_on, w.today)
                actions.append(
                    {
                        **stamp(at),
                        "id": action_id,
                        "risk_id": risk_id,
                        "description": words(rnd, 12),
                        "owner_id": rnd.choice(w.staff),
                        "due_on": due_on,
                        "done_on": done_on,
                        "completed_at": w.moment(done_on) if done_on else None,
                        "evidence": words(rnd, 8) if done_on else "",
                        "planned_by_id": owner,
                    }
                )
        if status in ("monitored", "closed") and age > 30:
            previous = likelihood * impact
            likelihood, impact = max(1, likelihood - 1), max(1, impact - rnd.randint(0, 1))
            assessed_on = raised_on + timedelta(days=min(age, 30))
            assessment_id += 1
            assessments.append(
                {
                    "id": assessment_id,
                    "risk_id": risk_id,
                    "kind": "residual",
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": likelihood * impact,
                    "level": level_for(likelihood * impact).value,
                    "previous_score": previous,
                    "comment": words(rnd, 10),
                    "assessed_on": assessed_on,
                    "assessed_at": w.moment(assessed_on),
                    "assessed_by_id": owner,
                }
            )
        closed_on = raised_on + timedelta(days=min(age, 200)) if status == "closed" else None
        risks.append(
            {
                **stamp(at),
                "id": risk_id,
                "code": code,
                "kind": kind,
                "status": status,
                "department_id": department,
                "process": words(rnd, 3),
                "title": f"{code}: {words(rnd, 8)}",
                "cause": words(rnd, 15),
                "consequence": words(rnd, 15),
                "owner_id": owner,
                "raised_by_id": owner,
                "clauses": ["6.1"],
                "likelihood": likelihood,
                "impact": impact,
                "score": likelihood * impact,
                "level": level_for(likelihood * impact).value,
                "treatment": treatment,
                "justification": "",
                "treatment_decided_by_id": owner if treatment else None,
                "raised_on": raised_on,
                "review_on": raised_on + timedelta(days=365),
                "closed_on": closed_on,
                "closed_at": w.moment(closed_on) if closed_on else None,
                "closed_by_id": owner if closed_on else None,
                "close_reason": words(rnd, 6) if closed_on else "",
            }
        )
    w.insert("risk", risks)
    w.insert("risk_assessment", assessments)
    w.insert("risk_action", actions)
    w.extra.setdefault("counters", []).extend(
        {"name": "RR", "year": y, "last": n} for y, n in counters.items()
    )


# Each domain's generator, in the order their records reference each other.
GENERATORS: list[tuple[str, Callable[[World], None]]] = [
    ("people", gen_people),
    ("documents", gen_documents),
    ("audits", gen_audits),
    ("nonconformities", gen_nonconformities),
    ("objectives", gen_objectives),
    ("risks", gen_risks),
]


def _fresh(settings: Settings, engine: Engine) -> None:
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type='table'"
                if engine.dialect.name == "sqlite"
                else "SELECT tablename FROM pg_tables WHERE schemaname='public'"
            )
        ).all()
    if tables:
        raise SystemExit(f"{settings.sqlalchemy_url}: not empty; generate into a fresh database")


def generate(
    *,
    scale: float,
    data_dir: Path,
    url: str | None = None,
    seed: int = 9,
    quiet: bool = False,
    options: dict | None = None,
) -> dict:
    """Generate into a fresh database; returns a summary (also written to DATA_DIR/bench.json)."""
    say = (lambda *_: None) if quiet else print
    data_dir.mkdir(parents=True, exist_ok=True)
    if url is None:
        for leftover in data_dir.glob("qms.sqlite3*"):
            leftover.unlink()
    settings = load_settings(data_dir=data_dir, database_url=url, password_hashing="recommended")
    load_models()
    passwords.configure(settings.password_hashing)
    engine = db.make_engine(settings, pool=False)
    _fresh(settings, engine)
    total = time.perf_counter()
    started = time.perf_counter()
    upgrade(engine)
    migrate_s = time.perf_counter() - started
    now = datetime.now(UTC)
    w = World(conn=None, scale=scale, rnd=random.Random(seed), today=now.date(), now=now)
    w.extra.update(options or {})  # e.g. audits=1, items_per_audit=1000 (the PDF benchmark)
    with engine.begin() as conn:
        w.conn = conn
        for _name, generator in GENERATORS:
            generator(w)
        if w.extra.get("counters"):
            w.insert("code_counter", w.extra.pop("counters"))
        write_trail(w)
        fix_sequences(w)
    # Planner statistics, as the daily reminder sweep keeps them (qms.db.refresh_statistics).
    if engine.dialect.name == "sqlite":
        db.refresh_statistics(engine)
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    elapsed = time.perf_counter() - total
    counts = {}
    with engine.connect() as conn:
        for name in dict.fromkeys(n.split(" ")[0] for n, _, _ in w.timings):
            table = w.table(name)
            if table is None:  # the search index is not an ORM table
                counts[name] = conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                continue
            counts[name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    summary = {
        "scale": scale,
        "url": settings.sqlalchemy_url,
        "data_dir": str(data_dir.resolve()),
        "seconds": round(elapsed, 2),
        "migrate_seconds": round(migrate_s, 2),
        "timings": [(n, r, round(s, 3)) for n, r, s in w.timings],
        "counts": counts,
        "notes": w.notes,
        "tables": sorted(SQLModel.metadata.tables),
        "generated_on": w.today.isoformat(),
        **w.extra,
    }
    (data_dir / "bench.json").write_text(json.dumps(summary, indent=1, default=str))
    say(f"generated scale {scale} into {settings.sqlalchemy_url} in {elapsed:.1f} s")
    say(f"  {'migrate':<28} {'':>8} {migrate_s:8.2f} s")
    for name, rows, seconds in w.timings:
        say(f"  {name:<28} {rows:>8} {seconds:8.2f} s")
    for note in w.notes:
        say(f"  note: {note}")
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"))
    parser.add_argument("--url", default=None, help="postgresql+psycopg://... (default SQLite)")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)
    generate(scale=args.scale, data_dir=args.data_dir, url=args.url, seed=args.seed)


if __name__ == "__main__":
    main()
