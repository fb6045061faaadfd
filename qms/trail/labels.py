"""The words people read for the trail's codes: record types, actions, fields and the coded
values of a field (a status, a source), so that no page shows `action_planned`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from qms.i18n import N_

RECORD_TYPES = {
    "api_token": N_("API token"),
    "audit": N_("Internal audit"),
    "audit_programme": N_("Audit programme"),
    "checklist_item": N_("Checklist item"),
    "corrective_action": N_("Corrective action"),
    "department": N_("Department"),
    "document": N_("Controlled document"),
    "nonconformity": N_("Nonconformity"),
    "revision": N_("Revision"),
    "sweep_run": N_("Reminder sweep"),
    "user": N_("User"),
}

ACTIONS = {
    "acknowledged": N_("read and acknowledged"),
    "action_planned": N_("corrective actions planned"),
    "actions_done": N_("all actions done"),
    "answered": N_("answered"),
    "approved": N_("approved"),
    "attachment_added": N_("attachment added"),
    "attachment_removed": N_("attachment removed"),
    "cancelled": N_("cancelled"),
    "checked_effective": N_("actions found effective"),
    "checked_ineffective": N_("actions found ineffective"),
    "closed": N_("closed"),
    "completed": N_("completed"),
    "created": N_("created"),
    "distributed": N_("distribution changed"),
    "document_effective": N_("document in effect"),
    "document_obsolete": N_("document made obsolete"),
    "documents_linked": N_("documents linked"),
    "evidence_attached": N_("evidence attached"),
    "file_attached": N_("file attached"),
    "in_progress": N_("audit started"),
    "investigated": N_("investigated"),
    "password_changed": N_("password changed"),
    "periodic_review": N_("periodic review recorded"),
    "planned": N_("planned"),
    "published": N_("published"),
    "raised": N_("raised"),
    "reported": N_("reported"),
    "returned": N_("returned to the author"),
    "reviewed": N_("reviewed"),
    "revision_created": N_("new revision opened"),
    "revision_edited": N_("draft edited"),
    "revision_published": N_("new issue published"),
    "signature_voided": N_("signature voided"),
    "signed_in": N_("signed in"),
    "signed_out": N_("signed out"),
    "submitted": N_("submitted for review"),
    "superseded": N_("superseded"),
    "sweep_run": N_("reminder sweep run"),
    "token_created": N_("API token created"),
    "token_revoked": N_("API token revoked"),
    "updated": N_("updated"),
    "withdrawn": N_("withdrawn"),
}

# What an electronic signature means (the `meaning` bound to the signed content).
MEANINGS = {
    "approved": N_("approved"),
    "closed": N_("closed"),
    "reported": N_("reported"),
    "reviewed": N_("reviewed"),
}

FIELDS = {
    "acknowledgement_id": N_("Acknowledgement"),
    "approver_id": N_("Approver"),
    "audit_id": N_("Audit"),
    "auditor_ids": N_("Audit team"),
    "author_id": N_("Author"),
    "cancel_reason": N_("Reason for cancelling"),
    "change_summary": N_("Summary of changes"),
    "check_due_on": N_("Effectiveness check due"),
    "checklist_item_id": N_("Checklist item"),
    "checklist_items": N_("Checklist items"),
    "clause": N_("ISO 9001 clause"),
    "clauses": N_("ISO clauses"),
    "code": N_("Code"),
    "containment": N_("Correction / containment"),
    "content_hash": N_("Content hash"),
    "content_sha256": N_("Content hash"),
    "criteria": N_("Criteria"),
    "department_id": N_("Department"),
    "description": N_("Description"),
    "distributed_to": N_("Distributed to"),
    "document_id": N_("Document"),
    "document_ids": N_("Related documents"),
    "done_on": N_("Done on"),
    "due_on": N_("Due date"),
    "effective_on": N_("Effective date"),
    "effective_revision": N_("Effective issue"),
    "email": N_("E-mail"),
    "email_notifications": N_("Reminders by e-mail"),
    "evidence": N_("Evidence"),
    "full_name": N_("Full name"),
    "is_active": N_("Active"),
    "kind": N_("Kind"),
    "lang": N_("Language"),
    "lead_auditor_id": N_("Lead auditor"),
    "name": N_("Name"),
    "next_review_on": N_("Next review"),
    "nonconformity_id": N_("Nonconformity"),
    "number": N_("Issue"),
    "objectives": N_("Objectives"),
    "owner_id": N_("Owner"),
    "planned_end_on": N_("Planned end"),
    "planned_start_on": N_("Planned start"),
    "position_title": N_("Position title"),
    "report_sha256": N_("Report hash"),
    "result": N_("Result"),
    "review_interval_months": N_("Review interval (months)"),
    "reviewer_id": N_("Reviewer"),
    "roles": N_("Roles"),
    "root_cause": N_("Root cause"),
    "root_cause_method": N_("Root-cause method"),
    "scope": N_("Scope"),
    "severity": N_("Severity"),
    "signature_id": N_("Electronic signature"),
    "source": N_("Source"),
    "source_path": N_("Imported from"),
    "status": N_("Status"),
    "strengths": N_("Strengths"),
    "summary": N_("Summary"),
    "superseded_by": N_("Superseded by"),
    "template_keys": N_("Checklist templates"),
    "title": N_("Title"),
    "whys": N_("Why? (5 whys)"),
    "year": N_("Year"),
}

# Fields holding the id of a person or a department: shown by name.
PEOPLE = {"approver_id", "author_id", "lead_auditor_id", "owner_id", "reviewer_id", "auditor_ids"}
DEPARTMENTS = {"department_id", "distributed_to"}

# (record type, field) → {code: msgid}; each domain registers its own coded fields.
_VALUES: dict[tuple[str, str], dict[str, str]] = {}


def register_values(record_type: str, field: str, labels: dict) -> None:
    _VALUES[(record_type, field)] = {str(code): msgid for code, msgid in labels.items()}


def action_label(action: str) -> tuple[str, str | None]:
    """(msgid, signature meaning msgid or None) for an event's action."""
    if action.startswith("signed:"):
        meaning = action.split(":", 1)[1]
        return N_("signed electronically"), MEANINGS.get(meaning)
    return ACTIONS.get(action, action), None


def record_label(record_type: str) -> str:
    return RECORD_TYPES.get(record_type, record_type)


@dataclass(frozen=True)
class Shown:
    """One value of a change as a person reads it: text to translate or to show as is."""

    text: str = ""
    translate: bool = False
    on: date | None = None


@dataclass(frozen=True)
class Change:
    field: str  # a msgid
    before: list[Shown]
    after: list[Shown]


def _shown(record_type: str, field: str, value: Any, names: dict) -> list[Shown]:
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, list):
        return [shown for item in value for shown in _shown(record_type, field, item, names)]
    if isinstance(value, bool):
        return [Shown(N_("yes") if value else N_("no"), translate=True)]
    coded = _VALUES.get((record_type, field))
    if coded is not None and str(value) in coded:
        return [Shown(coded[str(value)], translate=True)]
    if field in PEOPLE and isinstance(value, int):
        return [Shown(names.get(("user", value), f"#{value}"))]
    if field in DEPARTMENTS and isinstance(value, int):
        return [Shown(names.get(("department", value), f"#{value}"))]
    if field.endswith("_on") and isinstance(value, str):
        try:
            return [Shown(on=date.fromisoformat(value))]
        except ValueError:
            pass
    return [Shown(str(value))]


def referenced(events) -> tuple[set[int], set[int]]:
    """The ids of people and departments the events' changes name."""
    users, departments = set(), set()
    for event in events:
        for field, pair in json.loads(event.changes or "{}").items():
            target = users if field in PEOPLE else departments if field in DEPARTMENTS else None
            if target is None or not isinstance(pair, list):
                continue
            for value in pair:
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, int) and not isinstance(item, bool):
                        target.add(item)
    return users, departments


def changes(event, names: dict) -> list[Change]:
    """The event's field changes, labelled, with coded values and ids made readable."""
    shown = []
    for field, pair in json.loads(event.changes or "{}").items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        shown.append(
            Change(
                field=FIELDS.get(field, field),
                before=_shown(event.record_type, field, before, names),
                after=_shown(event.record_type, field, after, names),
            )
        )
    return shown


# The page of each kind of record, for a link from its trail.
RECORD_PAGES = {
    "audit": "/audits/{id}",
    "document": "/documents/{id}",
    "nonconformity": "/nonconformities/{id}",
    "revision": "/revisions/{id}",
    "user": "/admin/users/{id}",
}


def record_page(record_type: str, record_id: int) -> str | None:
    page = RECORD_PAGES.get(record_type)
    return page.format(id=record_id) if page else None
