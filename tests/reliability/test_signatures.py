"""Electronic signatures (21 CFR Part 11 style), from outside over HTTP: each signing asks
the password (a wrong one writes nothing) and records the meaning, the signer's name and
title, the instant and the hash of what was signed; a signed record cannot change
afterwards except by a move that voids its signature visibly; and the stored hash is the
hash of the content, which stops matching, visibly, when the database is edited behind
the application's back."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from qms.audits import service as audits
from qms.audits.models import Audit
from qms.db import utcnow
from qms.documents import content
from qms.documents.models import Revision
from qms.nonconformities import service as nonconformities
from qms.nonconformities.models import Nonconformity
from qms.trail.models import Signature, TrailEvent
from tests.audits import support as audit_support
from tests.documents import factories as docs
from tests.factories import PASSWORD
from tests.nonconformities import builders as nc_builders
from tests.reliability.xss import pdf_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Ledger:
    """How many signatures and trail events exist (signing in writes events of its own,
    left out), and a record's version and status."""

    signatures: int
    events: int
    version: int
    status: str


def ledger(world, model, record_id: int) -> Ledger:
    with Session(world.engine) as session:
        row = session.get(model, record_id)
        return Ledger(
            session.exec(select(func.count()).select_from(Signature)).one(),
            session.exec(
                select(func.count()).where(TrailEvent.record_type.not_in(("user", "api_token")))
            ).one(),
            row.version,
            row.status,
        )


def signature_of(world, signature_id: int) -> Signature:
    with Session(world.engine) as session:
        return session.get(Signature, signature_id)


# --- the kinds of signature, each set up just before it is given -------------------------


@dataclass
class Signing:
    model: type
    record_id: int
    signer: object  # a tests.factories.Person
    url: str
    body: dict
    meaning: str
    signed: str  # the status after signing

    def signature_id(self, world) -> int | None:
        with Session(world.engine) as session:
            row = session.get(self.model, self.record_id)
            return {
                "reviewed": getattr(row, "review_signature_id", None),
                "approved": getattr(row, "approval_signature_id", None),
                "closed": getattr(row, "signature_id", None),
                "reported": getattr(row, "report_signature_id", None),
            }[self.meaning]

    def expected_hash(self, world) -> str:
        with Session(world.engine) as session:
            row = session.get(self.model, self.record_id)
            if self.model is Revision:
                return content.content_hash(row.content_md, row.file_sha256)
            if self.model is Nonconformity:
                return nonconformities.content_hash(session=session, nc=row)
            return audits.content_hash(session=session, audit=row)


def _review(world) -> Signing:
    revision_id = docs.revision_in(world, "in_review")
    return Signing(
        Revision,
        revision_id,
        world.auditor,
        f"/api/v1/revisions/{revision_id}/review",
        {"comment": "Nội dung phù hợp."},
        "reviewed",
        "reviewed",
    )


def _approve(world) -> Signing:
    revision_id = docs.revision_in(world, "reviewed")
    return Signing(
        Revision,
        revision_id,
        world.manager,
        f"/api/v1/revisions/{revision_id}/approve",
        {"comment": "Đồng ý ban hành."},
        "approved",
        "approved",
    )


def _close(world) -> Signing:
    built = nc_builders.build(world, "ready")
    return Signing(
        Nonconformity,
        built.id,
        world.manager,
        f"/api/v1/nonconformities/{built.id}/close",
        {"comment": "Đã khắc phục."},
        "closed",
        "closed",
    )


def _report(world) -> Signing:
    built = audit_support.build(world, "in_progress")
    audit_support.answer(world, built)
    return Signing(
        Audit,
        built.id,
        world.auditor,
        f"/api/v1/audits/{built.id}/report",
        {"summary": "Quá trình được thực hiện phù hợp."},
        "reported",
        "reported",
    )


SIGNINGS = {"review": _review, "approve": _approve, "close": _close, "report": _report}


@pytest.mark.parametrize("kind", list(SIGNINGS))
def test_signing_asks_the_password_and_records_meaning_name_instant_and_hash(world, kind):
    signing = SIGNINGS[kind](world)
    api = world.api(signing.signer)
    before = ledger(world, signing.model, signing.record_id)

    for refused in ({}, {"password": ""}, {"password": PASSWORD + "x"}):
        response = api.post(signing.url, json={**signing.body, **refused})
        assert response.status_code == 422, response.text
        assert "password" in response.text
        assert ledger(world, signing.model, signing.record_id) == before  # nothing written

    just_before = utcnow()
    response = api.post(signing.url, json={**signing.body, "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == signing.signed
    after = ledger(world, signing.model, signing.record_id)
    assert after.signatures == before.signatures + 1

    signature = signature_of(world, signing.signature_id(world))
    assert signature.meaning == signing.meaning
    assert signature.signer_id == signing.signer.id
    assert signature.signer_name == signing.signer.user.full_name
    assert signature.signer_title == signing.signer.user.position_title
    assert just_before <= signature.at.replace(tzinfo=just_before.tzinfo) <= utcnow()
    assert signature.content_hash == signing.expected_hash(world)
    assert signature.voided_at is None
    with Session(world.engine) as session:
        signed_event = session.exec(
            select(TrailEvent).where(TrailEvent.action == f"signed:{signing.meaning}")
        ).one()
    assert signed_event.actor_name == signing.signer.user.full_name
    assert signature.content_hash in signed_event.changes


def test_the_password_is_asked_again_for_each_signature_by_the_same_person(world):
    first, second = _approve(world), _approve(world)
    api = world.api(world.manager)
    signed = api.post(first.url, json={**first.body, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    before = ledger(world, Revision, second.record_id)
    again = api.post(second.url, json=second.body)  # right after, same person, no password
    assert again.status_code == 422 and "password" in again.text
    assert ledger(world, Revision, second.record_id) == before


RECORD_PAGES = {Revision: "/revisions", Nonconformity: "/nonconformities", Audit: "/audits"}


@pytest.mark.parametrize("kind", list(SIGNINGS))
def test_a_wrong_password_on_the_signing_page_signs_nothing(world, kind):
    signing = SIGNINGS[kind](world)
    browser = world.browser(signing.signer)
    page = f"{RECORD_PAGES[signing.model]}/{signing.record_id}"
    before = ledger(world, signing.model, signing.record_id)
    for password in ("", "wrong password"):
        response = browser.submit(
            signing.url.removeprefix("/api/v1"),
            {**signing.body, "password": password, "version": before.version},
            page=page,
        )
        assert response.status_code == 422, response.text
        assert ledger(world, signing.model, signing.record_id) == before
    signed = browser.submit(
        signing.url.removeprefix("/api/v1"),
        {**signing.body, "password": PASSWORD, "version": before.version},
        page=page,
    )
    assert signed.status_code == 303, signed.text
    assert ledger(world, signing.model, signing.record_id).status == signing.signed


# --- changing a signed record afterwards: refused (409), or the signature voided ----------


def assert_refused(response, *words: str) -> None:
    assert response.status_code == 409, response.text
    for word in words:
        assert word in response.text, response.text


@pytest.mark.parametrize("status", ["reviewed", "approved", "effective"])
def test_a_signed_revision_cannot_be_edited_from_the_api_or_its_page(world, status):
    revision_id = docs.revision_in(world, status)
    before = ledger(world, Revision, revision_id)
    qo = world.api(world.quality_officer)
    edit = qo.patch(
        f"/api/v1/revisions/{revision_id}",
        json={"content_md": "Nội dung khác.", "change_summary": "x", "version": before.version},
    )
    assert_refused(edit, "draft")
    upload = qo.post(
        f"/api/v1/revisions/{revision_id}/file",
        files={"file": ("khac.pdf", docs.PDF_BYTES, "application/pdf")},
    )
    assert_refused(upload, "draft")
    browser = world.browser(world.quality_officer)
    page = f"/revisions/{revision_id}"
    form = browser.submit(
        page, {"content_md": "Nội dung khác.", "version": before.version}, page=page
    )
    assert form.status_code == 409, form.text
    file_form = browser.submit(
        f"{page}/file",
        {"version": before.version},
        page=page,
        files={"file": ("khac.pdf", docs.PDF_BYTES, "application/pdf")},
    )
    assert file_form.status_code == 409, file_form.text
    if status != "reviewed":  # only a revision not yet approved goes back to its author
        back = qo.post(f"/api/v1/revisions/{revision_id}/return", json={"comment": "Sửa lại."})
        assert_refused(back)
    assert ledger(world, Revision, revision_id) == before
    signoffs = qo.get(f"/api/v1/revisions/{revision_id}").json()["signoffs"]
    assert signoffs and all(s["content_hash"] == signoffs[0]["content_hash"] for s in signoffs)


def test_returning_a_reviewed_revision_voids_its_signature_visibly(world):
    revision_id = docs.revision_in(world, "reviewed")
    review_id = Signing(Revision, revision_id, None, "", {}, "reviewed", "").signature_id(world)
    back = world.api(world.manager).post(
        f"/api/v1/revisions/{revision_id}/return", json={"comment": "Thiếu bước tiếp nhận."}
    )
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "draft" and back.json()["signoffs"] == []
    void = signature_of(world, review_id)
    assert void.voided_at is not None  # kept, not deleted
    with Session(world.engine) as session:
        event = session.exec(
            select(TrailEvent).where(
                TrailEvent.action == "signature_voided", TrailEvent.record_id == revision_id
            )
        ).one()
    assert event.actor_id == world.manager.id and event.reason == "Thiếu bước tiếp nhận."
    assert str(review_id) in event.changes

    browser = world.browser(world.quality_officer)
    page = browser.get(f"/revisions/{revision_id}")
    assert page.status_code == 200
    assert "Void signatures" in page.text and 'class="void"' in page.text
    assert void.signer_name in page.text and void.content_hash in page.text
    copy = browser.get(f"/revisions/{revision_id}.pdf")
    assert copy.status_code == 200, copy.text
    assert f"VOID signature: reviewed by {void.signer_name}" in " ".join(
        pdf_text(copy.content).split()
    )

    # the author then edits the draft: a trail event says who changed what
    author = world.api(world.quality_officer)
    current = author.get(f"/api/v1/revisions/{revision_id}").json()
    edit = author.patch(
        f"/api/v1/revisions/{revision_id}",
        json={
            "content_md": "Nội dung đã sửa.",
            "change_summary": "Bổ sung",
            "version": current["version"],
        },
    )
    assert edit.status_code == 200, edit.text
    with Session(world.engine) as session:
        edited = session.exec(
            select(TrailEvent).where(
                TrailEvent.action == "revision_edited", TrailEvent.record_id == revision_id
            )
        ).one()
    assert edited.actor_id == world.quality_officer.id and "content_sha256" in edited.changes
    # and the trail page shows both: who voided and why, who edited and what
    trail_page = browser.get(f"/trail/revision/{revision_id}").text
    assert "Thiếu bước tiếp nhận." in trail_page and "Bổ sung" in trail_page


def test_a_closed_nonconformity_refuses_every_change(world):
    built = nc_builders.build(world, "closed")
    nc_id, action_id = built.id, built.action_ids[0]
    before = ledger(world, Nonconformity, nc_id)
    manager, qo, staff = (world.api(p) for p in (world.manager, world.quality_officer, world.staff))
    due = nc_builders.today(world).isoformat()
    attempts = [
        manager.post(
            f"/api/v1/nonconformities/{nc_id}/investigate",
            json={"containment": "x", "root_cause_method": "other", "root_cause": "y"},
        ),
        manager.post(
            f"/api/v1/nonconformities/{nc_id}/actions",
            json={"description": "Thêm hành động.", "owner_id": world.staff.id, "due_on": due},
        ),
        staff.post(f"/api/v1/corrective-actions/{action_id}/files", files={"file": ("a.png", PNG)}),
        staff.post(f"/api/v1/corrective-actions/{action_id}/complete", json={"evidence": "z"}),
        qo.post(
            f"/api/v1/nonconformities/{nc_id}/verify",
            json={"result": "ineffective", "comment": "Mở lại."},
        ),
        manager.post(f"/api/v1/nonconformities/{nc_id}/close", json={"password": PASSWORD}),
        qo.post(f"/api/v1/nonconformities/{nc_id}/cancel", json={"reason": "Hủy."}),
        qo.put(f"/api/v1/nonconformities/{nc_id}/documents", json={"document_ids": []}),
    ]
    for response in attempts:
        assert_refused(response, "detail")

    page = f"/nonconformities/{nc_id}"
    forms = [
        (world.manager, f"{page}/investigate", {"containment": "x", "root_cause_method": "other"}),
        (world.manager, f"{page}/actions", {"description": "x", "owner_id": world.staff.id}),
        (world.staff, f"/corrective-actions/{action_id}/complete", {"evidence": "z"}),
        (world.quality_officer, f"{page}/verify", {"result": "ineffective", "comment": "x"}),
        (world.manager, f"{page}/close", {"password": PASSWORD}),
        (world.quality_officer, f"{page}/cancel", {"reason": "x"}),
    ]
    for person, url, data in forms:
        response = world.browser(person).submit(
            url, {**data, "version": before.version, "due_on": due}, page=page
        )
        assert response.status_code == 409, (url, response.text)
    assert ledger(world, Nonconformity, nc_id) == before


def test_a_reported_audit_refuses_every_change_to_what_was_signed(world):
    built = audit_support.build(world, "in_progress")
    audit_support.answer(world, built)
    item = audit_support.items(world, built)[0]
    attached = world.api(world.auditor).post(
        f"/api/v1/checklist-items/{item.id}/attachments", files={"file": ("quay.png", PNG)}
    )
    assert attached.status_code == 201, attached.text
    attachment_id = attached.json()["id"]
    audit_support.report(world, built)
    audit = audit_support.load(world, built)
    before = ledger(world, Audit, built.id)
    item_version = item.version
    lead, qo = world.api(world.auditor), world.api(world.quality_officer)
    attempts = [
        lead.patch(
            f"/api/v1/checklist-items/{item.id}",
            json={"result": "observation", "evidence": "Sửa sau.", "version": item.version},
        ),
        lead.post(f"/api/v1/checklist-items/{item.id}/attachments", files={"file": ("a.png", PNG)}),
        qo.patch(f"/api/v1/audits/{built.id}", json={"title": "Khác", "version": audit.version}),
        lead.post(
            f"/api/v1/audits/{built.id}/report",
            json={"password": PASSWORD, "summary": "Báo cáo lại."},
        ),
        qo.post(f"/api/v1/audits/{built.id}/cancel", json={"reason": "Hủy."}),
        lead.post(f"/api/v1/audits/{built.id}/start"),
        lead.delete(f"/api/v1/audit-attachments/{attachment_id}"),
    ]
    for response in attempts:
        assert_refused(response, built.code)

    page = f"/audits/{built.id}"
    forms = [
        (world.auditor, f"{page}/items/{item.id}", {"result": "observation", "evidence": "x"}),
        (
            world.quality_officer,
            f"{page}/edit",
            {
                "title": "Khác",
                "scope": "x",
                "criteria": "y",
                "department_id": audit.department_id,
                "lead_auditor_id": audit.lead_auditor_id,
                "planned_start_on": audit.planned_start_on.isoformat(),
                "planned_end_on": audit.planned_end_on.isoformat(),
            },
        ),
        (world.auditor, f"{page}/report", {"password": PASSWORD, "summary": "x"}),
        (world.quality_officer, f"{page}/cancel", {"reason": "x"}),
        (world.auditor, f"{page}/attachments/{attachment_id}/delete", {}),
    ]
    for person, url, data in forms:
        response = world.browser(person).submit(
            url, {**data, "version": item_version if "items" in url else before.version}, page=page
        )
        assert response.status_code == 409, (url, response.text)
    assert ledger(world, Audit, built.id) == before
    assert audit_support.items(world, built)[0].version == item_version
    checklist = world.api(world.auditor).get(f"/api/v1/audits/{built.id}/checklists").json()
    first = next(i for c in checklist for i in c["items"] if i["id"] == item.id)
    assert [a["id"] for a in first["attachments"]] == [attachment_id]


# --- the stored hash is the hash of the content, and says so when it is not ---------------


def _tamper(world, sql: str, **params) -> None:
    """Change a row behind the application's back, as someone with database access might."""
    with world.engine.begin() as connection:
        assert connection.execute(text(sql), params).rowcount == 1


def test_a_revision_edited_in_the_database_no_longer_matches_and_is_not_served(world):
    revision_id = docs.revision_in(world, "effective")
    signing = Signing(Revision, revision_id, None, "", {}, "approved", "")
    stored = signature_of(world, signing.signature_id(world)).content_hash
    assert signing.expected_hash(world) == stored
    assert docs.get_revision(world, revision_id).content_hash == stored

    _tamper(
        world,
        "UPDATE revision SET content_md = :text WHERE id = :id",
        text=docs.TEXT + "\nMột câu thêm vào sau khi ký.\n",
        id=revision_id,
    )
    assert signing.expected_hash(world) != stored
    browser = world.browser(world.quality_officer)
    page = browser.get(f"/revisions/{revision_id}")
    assert page.status_code == 409 and "no longer matches the hash" in page.text
    assert browser.get(f"/revisions/{revision_id}.pdf").status_code == 409
    api = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}")
    assert api.status_code == 409 and "no longer matches the hash" in api.json()["detail"]


def test_a_closed_nonconformity_edited_in_the_database_shows_its_signature_no_longer_holds(
    world,
):
    built = nc_builders.build(world, "closed")
    signing = Signing(Nonconformity, built.id, None, "", {}, "closed", "")
    stored = signature_of(world, signing.signature_id(world)).content_hash
    assert signing.expected_hash(world) == stored
    browser = world.browser(world.quality_officer)
    assert "changed after it was signed" not in browser.get(f"/nonconformities/{built.id}").text
    before = world.api(world.quality_officer).get(f"/api/v1/nonconformities/{built.id}.pdf")

    _tamper(
        world,
        "UPDATE corrective_action SET evidence = :text WHERE id = :id",
        text="Bằng chứng viết lại sau khi đóng.",
        id=built.action_ids[0],
    )
    assert signing.expected_hash(world) != stored
    page = browser.get(f"/nonconformities/{built.id}")
    assert page.status_code == 200 and "changed after it was signed" in page.text
    # The kept form is the file signed at closing, byte for byte: the edit does not reach it.
    kept = world.api(world.quality_officer).get(f"/api/v1/nonconformities/{built.id}.pdf")
    assert kept.status_code == 200 and kept.content == before.content
    assert "NOT VALID" not in pdf_text(kept.content)


def test_a_reported_audit_edited_in_the_database_shows_its_signature_no_longer_holds(world):
    built = audit_support.build(world, "reported")
    signing = Signing(Audit, built.id, None, "", {}, "reported", "")
    stored = signature_of(world, signing.signature_id(world)).content_hash
    assert signing.expected_hash(world) == stored
    browser = world.browser(world.quality_officer)
    assert "changed after its report was signed" not in browser.get(f"/audits/{built.id}").text

    item = audit_support.items(world, built)[3]
    _tamper(
        world,
        "UPDATE audit_checklist_item SET evidence = :text WHERE id = :id",
        text="Bằng chứng viết lại sau báo cáo.",
        id=item.id,
    )
    assert signing.expected_hash(world) != stored
    page = browser.get(f"/audits/{built.id}")
    assert page.status_code == 200 and "changed after its report was signed" in page.text
