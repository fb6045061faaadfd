"""Who may do what with audit programmes, audits, checklists and templates.

The quality officer plans the programme, creates, edits, cancels and closes audits; the lead
auditor starts and reports the audit; the team fills its checklist; the team, the quality
officer, the administrator and the auditee department's manager may read it.
"""

from __future__ import annotations

from qms.auth.models import Role
from qms.auth.permissions import has_any, manages, rule


def on_team(user, audit) -> bool:
    return audit is not None and user.id in audit.team_ids


def is_lead(user, audit) -> bool:
    return audit is not None and user.id == audit.lead_auditor_id


rule(
    "audit.list",
    "Only quality officers, auditors, managers and administrators can see internal audits.",
)(has_any(Role.quality_officer, Role.auditor, Role.manager, Role.admin))

rule(
    "audit.programme.read",
    "Only quality officers, auditors, managers and administrators can see the audit programme.",
)(has_any(Role.quality_officer, Role.auditor, Role.manager, Role.admin))

rule("audit.programme.manage", "Only a quality officer can plan the audit programme.")(
    has_any(Role.quality_officer)
)

rule("audit.create", "Only a quality officer can plan an internal audit.")(
    has_any(Role.quality_officer)
)

rule(
    "audit.template.read",
    "Only quality officers and auditors can see the checklist templates.",
)(has_any(Role.quality_officer, Role.auditor))


@rule(
    "audit.read",
    "Only the audit team, the quality officer, an administrator and the manager of the "
    "audited department can see this audit.",
)
def _may_read(user, audit) -> bool:
    return (
        user.has_role(Role.quality_officer, Role.admin)
        or on_team(user, audit)
        or (audit is not None and manages(user, audit.department_id))
    )


@rule("audit.update", "Only a quality officer can change the plan of an audit.")
def _may_update(user, audit) -> bool:
    return user.has_role(Role.quality_officer)


@rule("audit.cancel", "Only a quality officer can cancel an audit.")
def _may_cancel(user, audit) -> bool:
    return user.has_role(Role.quality_officer)


@rule(
    "audit.close",
    "Only a quality officer can close an audit, once its nonconformities are dealt with.",
)
def _may_close(user, audit) -> bool:
    return user.has_role(Role.quality_officer)


@rule("audit.start", "Only the lead auditor of this audit can start it.")
def _may_start(user, audit) -> bool:
    return is_lead(user, audit)


@rule("audit.report", "Only the lead auditor of this audit can issue its report.")
def _may_report(user, audit) -> bool:
    return is_lead(user, audit)


@rule("audit.answer", "Only the auditors of this audit's team can fill its checklist.")
def _may_answer(user, audit) -> bool:
    return on_team(user, audit)
