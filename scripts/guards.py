"""Prove that each reliability and security test fails when the guard it covers is removed.

Usage: .venv/bin/python scripts/guards.py [--list] [--baseline] [--postgres URL [--postgres-only]]
                                          [NAME...]

Each guard below names a source file, the exact text of the guard, the text that removes
or breaks it, and the tests that must then fail. For each one the script applies the
change in place, runs those tests (`pytest -x -q -p no:cacheprovider`), puts the file
back (in a `finally`), and prints a table. It exits 1 if any removal goes unnoticed (the
tests still pass) or cannot be checked (the text is not found exactly once, pytest
errors out or collects nothing).

It refuses to start if any of the files it would change has uncommitted changes, so that
restoring them can never lose work.

Guards marked PostgreSQL run only with `--postgres URL` (or QMS_TEST_DATABASE_URL set): a
fresh database `<name>_guard_<pid>` is created on that server for each of them and dropped
after. The others run on SQLite (QMS_TEST_DATABASE_URL is removed from their environment).
`--baseline` first runs each guard's tests unchanged, which must pass, so that a test
failing for another reason is not counted as proof.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Guard:
    name: str
    file: str  # relative to the repository root
    guard: str  # exact text, present once
    broken: str  # what replaces it
    tests: tuple[str, ...]  # pytest node ids that must fail once the guard is gone
    postgres: bool = False  # meaningful only on PostgreSQL


MATRIX = "tests/test_role_matrix.py::test_route_answers_each_role_as_the_matrix_says"
PAGES = "tests/foundation/test_pages.py"
UPLOADS = "tests/reliability/test_uploads.py"
SIGNATURES = "tests/reliability/test_signatures.py"
VERIFY = "tests/reports/test_verify.py"
NC_MOVES = "tests/nonconformities/test_transitions.py::test_each_move_from_each_state"
RISK_MOVES = "tests/risks/test_transitions.py::test_each_verb_in_each_state"
DOC_MOVES = "tests/documents/test_transitions.py"

GUARDS: list[Guard] = [
    # --- permissions ----------------------------------------------------------------------
    Guard(
        "can() answers the rule",
        "qms/auth/permissions.py",
        "    return bool(declared.check(user, record))",
        "    return True",
        (
            f"{MATRIX}[POST /api/v1/departments]",
            "tests/foundation/test_people_api.py::test_only_an_admin_creates_users_and_departments",
        ),
    ),
    Guard(
        "require() refuses",
        "qms/auth/permissions.py",
        "    if not can(user, action, record):\n        raise Forbidden",
        "    if False:\n        raise Forbidden",
        (f"{MATRIX}[POST /api/v1/departments]", f"{MATRIX}[POST /api/v1/documents]"),
    ),
    Guard(
        "a route without a matrix entry fails the suite",
        "tests/matrix/foundation.py",
        '    Case("GET", "/api/v1/my-work", EVERYONE),\n',
        "",
        ("tests/test_role_matrix.py::test_every_route_has_a_matrix_entry",),
    ),
    Guard(
        "lists show only what the reader may open (audits)",
        "qms/audits/service.py",
        "    return query.where(or_(*conditions))",
        "    return query",
        (
            "tests/reliability/test_visibility.py::test_lists_show_only_what_the_reader_may_open",
            "tests/audits/test_planning.py::test_who_sees_which_audits",
        ),
    ),
    Guard(
        "another department's audit by guessed id is refused",
        "qms/audits/permissions.py",
        "        or (audit is not None and manages(user, audit.department_id))\n    )",
        "        or audit is not None\n    )",
        (
            "tests/reliability/test_visibility.py::test_a_guessed_id_of_what_one_may_not_open_is_refused",
            "tests/audits/test_planning.py::test_who_sees_which_audits",
        ),
    ),
    Guard(
        "an unpublished revision by guessed id is refused",
        "qms/documents/permissions.py",
        "    if revision is None or RevisionStatus(revision.status) in PUBLISHED:\n        return True",
        "    if True:\n        return True",
        (
            "tests/reliability/test_visibility.py::test_a_guessed_id_of_what_one_may_not_open_is_refused",
        ),
    ),
    # --- actions (qms/workflow.py: every declared action of every domain) -----------------
    Guard(
        "an action asks its permission rule",
        "qms/workflow.py",
        "        if self.permission is not None and not can(user, self.permission, subject):",
        "        if False:",
        (
            f"{MATRIX}[POST /api/v1/nonconformities/{{nonconformity_id}}/cancel]",
            f"{MATRIX}[POST /nonconformities/{{nonconformity_id}}/investigate]",
            f"{MATRIX}[POST /api/v1/revisions/{{revision_id}}/publish]",
            f"{MATRIX}[POST /documents/{{document_id}}/obsolete]",
        ),
    ),
    Guard(
        "an action refuses a state it does not start from",
        "qms/workflow.py",
        "        if current not in self.moves:",
        "        if False:",
        (
            f"{NC_MOVES}[investigate-from-closed]",
            f"{NC_MOVES}[cancel-from-cancelled]",
            f"{RISK_MOVES}[assess-closed]",
            f"{RISK_MOVES}[complete-monitored]",
            f"{DOC_MOVES}::test_refused_transition[submit-in_review]",
            f"{DOC_MOVES}::test_an_obsolete_document_cannot_be_made_obsolete_again",
        ),
    ),
    Guard(
        "an action runs its guards",
        "qms/workflow.py",
        "            refused = guard(session, user, record, subject)\n",
        "            refused = None\n",
        (
            "tests/nonconformities/test_duties.py::test_a_quality_officer_who_owns_an_action_cannot_verify_it",
            "tests/nonconformities/test_transitions.py::test_closing_without_an_effective_check_says_so",
            f"{DOC_MOVES}::test_only_one_open_revision_at_a_time",
        ),
    ),
    Guard(
        "an action checks the version sent",
        "qms/workflow.py",
        "        if version is not None or versioned:\n            check_version(subject, version)",
        "        if False:\n            check_version(subject, version)",
        (
            "tests/nonconformities/test_transitions.py::test_a_stale_version_is_refused",
            "tests/nonconformities/test_transitions.py::test_a_stale_action_version_is_refused",
            "tests/reviews/test_flow.py::test_only_the_chair_holds_and_a_stale_version_is_refused",
            "tests/objectives/test_rules.py::test_the_owners_department_manager_edits_a_draft_with_its_version",
            f"{DOC_MOVES}::test_a_stale_version_is_refused[submit]",
        ),
    ),
    Guard(
        "the table refuses a move it does not hold (jobs and actions naming their target)",
        "qms/workflow.py",
        "        if to in self.allowed[current]:\n            return None",
        "        if True:\n            return None",
        (
            "tests/risks/test_transitions.py::test_the_table_allows_exactly_its_moves[open-closed]",
            f"{RISK_MOVES}[close-open]",
            "tests/objectives/test_rules.py::test_activation_needs_an_indicator_and_happens_once",
        ),
    ),
    # --- the new domains' declared actions (each domain's states.py) ---------------------
    Guard(
        "an objective is put in force only with an indicator",
        "qms/objectives/states.py",
        "    guards=(has_indicators,),",
        "    guards=(),",
        (
            "tests/objectives/test_rules.py::test_activation_needs_an_indicator_and_happens_once",
            "tests/objectives/test_pages.py::test_a_quality_officer_sets_an_objective_adds_an_indicator_and_puts_it_in_force",
        ),
    ),
    Guard(
        "only a quality officer adds an indicator to an objective in force",
        "qms/objectives/states.py",
        "    guards=(quality_officer_once_in_force,),",
        "    guards=(),",
        (
            "tests/objectives/test_rules.py::test_only_a_quality_officer_adds_an_indicator_to_an_objective_in_force",
        ),
    ),
    Guard(
        "only a draft objective is edited",
        "qms/objectives/states.py",
        '    "updated",\n    {Status.draft: Status.draft},',
        '    "updated",\n    {Status.draft: Status.draft, Status.active: Status.active},',
        ("tests/objectives/test_rules.py::test_an_objective_in_force_is_no_longer_edited",),
    ),
    Guard(
        "figures are entered only while the objective is in force",
        "qms/objectives/states.py",
        '    "measured",\n    {Status.active: Status.active},',
        '    "measured",\n    {s: s for s in Status},',
        (
            "tests/objectives/test_rules.py::test_figures_are_entered_by_the_data_owner_while_the_objective_is_in_force",
        ),
    ),
    Guard(
        "a risk's actions are planned once a treatment other than acceptance is chosen",
        "qms/risks/states.py",
        "    guards=(treatment_chosen, not_accepted_as_it_is),",
        "    guards=(),",
        (
            f"{RISK_MOVES}[plan-open]",
            "tests/risks/test_rules.py::test_accepting_a_high_risk_needs_its_departments_manager_and_a_justification",
        ),
    ),
    Guard(
        "a done treatment action is not completed again",
        "qms/risks/states.py",
        "    guards=(action_not_done,),",
        "    guards=(),",
        ("tests/risks/test_rules.py::test_a_done_action_is_not_completed_again",),
    ),
    Guard(
        "a done review output is not completed again",
        "qms/reviews/states.py",
        "    guards=(output_not_done,),",
        "    guards=(),",
        (
            "tests/reviews/test_flow.py::test_outputs_are_recorded_once_held_and_completed_by_their_owner",
        ),
    ),
    # --- forms and requests ---------------------------------------------------------------
    Guard(
        "CSRF token checked on every page POST",
        "qms/pages.py",
        "        or not hmac.compare_digest(sent, csrf_token(request))\n    ):",
        "        or False\n    ):",
        (
            f"{PAGES}::test_a_forged_csrf_token_is_403",
            f"{PAGES}::test_the_csrf_token_is_bound_to_the_session",
        ),
    ),
    Guard(
        "CSRF header when the API is used with the session cookie",
        "qms/pages.py",
        "    if not hmac.compare_digest(sent, csrf_token(request)):",
        "    if False:",
        (f"{PAGES}::test_the_api_used_with_the_session_cookie_needs_the_csrf_header",),
    ),
    Guard(
        "foreign Origin refused",
        "qms/middleware.py",
        "        if method in UNSAFE and not self._same_origin(headers):",
        "        if False:",
        (f"{PAGES}::test_a_post_from_a_foreign_origin_is_403",),
    ),
    Guard(
        "413 counted while the body streams (chunked too)",
        "qms/middleware.py",
        "                if received > self.max_body:",
        "                if False:",
        (
            "tests/foundation/test_limits.py::test_a_chunked_body_over_the_limit_is_413",
            f"{UPLOADS}::test_a_chunked_upload_over_the_limit_is_413_and_leaves_no_file",
        ),
    ),
    Guard(
        "413 on a declared Content-Length, answered before reading",
        "qms/middleware.py",
        "        if declared and declared.isdigit() and int(declared) > self.max_body:",
        "        if False:",
        (f"{UPLOADS}::test_a_declared_body_over_the_limit_is_refused_before_it_is_read",),
    ),
    # --- uploads --------------------------------------------------------------------------
    # One store (qms/files.py) for every domain: each guard is proven on each domain's route.
    Guard(
        "an upload's type is read from its bytes",
        "qms/files.py",
        "        if kind is None or kind not in accept:\n",
        "        if False:\n",
        (
            f"{UPLOADS}::test_bytes_of_no_accepted_type_are_refused_naming_the_field[document file (API)]",
            f"{UPLOADS}::test_bytes_of_no_accepted_type_are_refused_naming_the_field[corrective action evidence (API)]",
            f"{UPLOADS}::test_bytes_of_no_accepted_type_are_refused_naming_the_field[checklist attachment (API)]",
        ),
    ),
    Guard(
        "an upload of another domain's kind is refused",
        "qms/files.py",
        "        if kind is None or kind not in accept:\n",
        "        if kind is None:\n",
        ("tests/nonconformities/test_evidence.py::test_an_odt_is_not_accepted_as_evidence",),
    ),
    Guard(
        "an upload is stored under its hash, not its name",
        "qms/files.py",
        "        target = files_dir / sha256\n",
        "        target = files_dir / (filename or sha256)\n",
        (
            f"{UPLOADS}::test_hostile_file_names_never_reach_the_file_system[document file (API)]",
            f"{UPLOADS}::test_hostile_file_names_never_reach_the_file_system[corrective action evidence (page)]",
            f"{UPLOADS}::test_hostile_file_names_never_reach_the_file_system[checklist attachment (API)]",
        ),
    ),
    Guard(
        "an upload's name is kept without its folders",
        "qms/files.py",
        '    base = re.split(r"[\\\\/]", name or "")[-1]',
        '    base = name or ""',
        (
            f"{UPLOADS}::test_hostile_file_names_never_reach_the_file_system[document file (page)]",
            f"{UPLOADS}::test_hostile_file_names_never_reach_the_file_system[corrective action evidence (API)]",
            f"{UPLOADS}::test_hostile_file_names_never_reach_the_file_system[checklist attachment (page)]",
        ),
    ),
    Guard(
        "an upload's partial file is removed",
        "qms/files.py",
        "    finally:\n        temp.unlink(missing_ok=True)",
        "    finally:\n        pass",
        (
            f"{UPLOADS}::test_a_refused_upload_leaves_no_file[document file (API)]",
            f"{UPLOADS}::test_a_refused_upload_leaves_no_file[corrective action evidence (page)]",
            f"{UPLOADS}::test_a_refused_upload_leaves_no_file[checklist attachment (API)]",
        ),
    ),
    Guard(
        "an upload's size is counted while it streams",
        "qms/files.py",
        "                if size > max_bytes:\n",
        "                if False:\n",
        (
            "tests/nonconformities/test_evidence.py::test_evidence_over_the_upload_limit_is_refused_naming_the_field",
        ),
    ),
    Guard(
        "a file written by a transaction that does not commit is removed",
        "qms/db.py",
        "        for path in session.info.pop(NEW_FILES, ()):\n            path.unlink(missing_ok=True)",
        "        session.info.pop(NEW_FILES, ())",
        (f"{UPLOADS}::test_a_request_that_fails_after_storing_leaves_no_orphan_file",),
    ),
    # --- user text ------------------------------------------------------------------------
    Guard(
        "pages escape what people typed (autoescape)",
        "qms/pages.py",
        '    autoescape=select_autoescape(["html", "xml"]),',
        "    autoescape=False,",
        (
            "tests/documents/test_content.py::test_the_comparison_page_shows_no_markdown_and_escapes_the_text",
        ),
    ),
    Guard(
        "e-mails escape what people typed (autoescape)",
        "qms/pages.py",
        '    autoescape=select_autoescape(["html", "xml"]),',
        "    autoescape=False,",
        ("tests/reminders/test_sweep.py::test_user_text_in_a_digest_is_escaped",),
    ),
    Guard(
        "Markdown sanitised (nh3)",
        "qms/documents/content.py",
        "    return nh3.clean(\n        html,",
        "    return html or nh3.clean(\n        html,",
        (
            "tests/documents/test_content.py::test_markdown_is_rendered_to_safe_html",
            "tests/documents/test_content.py::test_unsafe_markdown_is_not_served_by_the_revision_page",
        ),
    ),
    # --- concurrent people ----------------------------------------------------------------
    Guard(
        "a stale version is refused (API)",
        "qms/errors.py",
        "    if record.version != version:",
        "    if False:",
        (
            "tests/foundation/test_people_api.py::test_a_stale_version_is_409_and_changes_nothing",
            "tests/reliability/test_concurrency.py::test_32_concurrent_writers_on_one_record",
        ),
    ),
    Guard(
        "a stale version is refused (the page's hidden field)",
        "qms/auth/web.py",
        '            user=target,\n            version=int(data.get("version") or 0),',
        "            user=target,\n            version=target.version,",
        (f"{PAGES}::test_a_stale_form_is_refused_with_409",),
    ),
    Guard(
        "a re-shown stale form keeps the version it was edited against",
        "templates/admin/user.html",
        '  <input type="hidden" name="version" value="{{ form.version or target.version }}">',
        '  <input type="hidden" name="version" value="{{ target.version }}">',
        ("tests/reliability/test_stale_forms.py::test_a_re_shown_stale_form_is_refused_again",),
    ),
    Guard(
        "SQLite write transactions BEGIN IMMEDIATE",
        "qms/db.py",
        '            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")',
        '            conn.exec_driver_sql("BEGIN")',
        (
            "tests/reliability/test_sqlite_locking.py::"
            "test_a_write_transaction_holds_the_write_lock_from_its_start",
        ),
    ),
    Guard(
        "UPDATE ... WHERE version = the one read (PostgreSQL READ COMMITTED)",
        "qms/db.py",
        '        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}',
        "        return {}",
        ("tests/reliability/test_concurrency.py::test_32_concurrent_writers_on_one_record",),
        postgres=True,
    ),
    # --- trail and signatures -------------------------------------------------------------
    Guard(
        "each trail event links to the one before",
        "qms/trail/service.py",
        '        prev_hash=prev_hash,\n        hash="",',
        '        prev_hash=GENESIS,\n        hash="",',
        ("tests/foundation/test_trail.py::test_the_chain_links_each_event_to_the_one_before",),
    ),
    Guard(
        "trail verify: an edited event",
        "qms/trail/service.py",
        "            if event_hash(event) != event.hash:",
        "            if False:",
        ("tests/foundation/test_trail.py::test_verify_names_the_first_edited_event",),
    ),
    Guard(
        "trail verify: a deleted event",
        "qms/trail/service.py",
        "            if event.seq != expected_seq:",
        "            if False:",
        ("tests/foundation/test_trail.py::test_verify_names_a_deleted_event",),
    ),
    Guard(
        "trail verify: a re-hashed event breaks the link",
        "qms/trail/service.py",
        "            if event.prev_hash != expected_prev:",
        "            if False:",
        ("tests/foundation/test_trail.py::test_verify_detects_a_rehashed_event",),
    ),
    Guard(
        "qms trail verify exits 1 on a broken chain",
        "qms/cli.py",
        "        err=True,\n    )\n    raise typer.Exit(1)",
        "        err=True,\n    )",
        ("tests/foundation/test_trail.py::test_verify_names_the_first_edited_event",),
    ),
    Guard(
        "PostgreSQL trigger refuses UPDATE and DELETE of the trail",
        "qms/migrations/versions/0001_foundation.py",
        '    if op.get_bind().dialect.name == "postgresql":\n        # The trail is append-only',
        "    if False:\n        # The trail is append-only",
        ("tests/foundation/test_trail.py::test_postgres_refuses_update_and_delete_of_the_trail",),
        postgres=True,
    ),
    Guard(
        "PostgreSQL appenders serialised (the chain never forks)",
        "qms/trail/service.py",
        '        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _TRAIL_LOCK_KEY})',
        "        pass",
        ("tests/foundation/test_trail.py::test_concurrent_writers_never_fork_the_chain",),
        postgres=True,
    ),
    Guard(
        "signing asks for the password",
        "qms/trail/service.py",
        "    if not verify_password(password, signer.password_hash):",
        "    if False:",
        ("tests/documents/test_signoffs.py::test_a_signature_asks_for_the_password_again",),
    ),
    Guard(
        "a signed (published) revision cannot be edited",
        "qms/documents/states.py",
        '    _STAYS(RevisionStatus.draft),\n    "revision.edit",',
        '    _STAYS(*RevisionStatus),\n    "revision.edit",',
        ("tests/documents/test_publish.py::test_effective_content_cannot_be_edited",),
    ),
    Guard(
        "one revision on its way per document",
        "qms/documents/states.py",
        "    if pending is not None:\n        return Conflict(",
        "    if False:\n        return Conflict(",
        (f"{DOC_MOVES}::test_only_one_open_revision_at_a_time",),
    ),
    Guard(
        "signed content that no longer matches its hash is not served",
        "qms/documents/service.py",
        "    if actual != revision.content_hash:",
        "    if False:",
        ("tests/documents/test_publish.py::test_tampered_effective_content_is_never_served",),
    ),
    # --- faults ---------------------------------------------------------------------------
    Guard(
        "503 when the database does not answer",
        "qms/app.py",
        "        return _error(request, 503, _STATUS_MESSAGES[503])\n\n"
        "    @app.exception_handler(PoolTimeout)",
        "        return _error(request, 500, _STATUS_MESSAGES[503])\n\n"
        "    @app.exception_handler(PoolTimeout)",
        ("tests/foundation/test_limits.py::test_a_database_that_does_not_answer_is_503",),
    ),
    Guard(
        "a database restart between requests costs no request (pool_pre_ping)",
        "qms/db.py",
        "    return create_engine(url, pool_pre_ping=True, **sizing)",
        "    return create_engine(url, **sizing)",
        (
            "tests/reliability/test_database_returns.py::"
            "test_the_app_recovers_by_itself_when_the_database_returns",
        ),
        postgres=True,
    ),
    # --- backup ---------------------------------------------------------------------------
    Guard(
        "restore checks each file against the manifest",
        "qms/backup.py",
        '                if _sha256(work / "files" / name) != digest:',
        "                if False:",
        ("tests/reliability/test_backup.py::test_a_tampered_archive_is_refused",),
    ),
    Guard(
        "restore checks the database against the manifest",
        "qms/backup.py",
        '            if _sha256(database) != manifest["database"]["sha256"]:',
        "            if False:",
        ("tests/reliability/test_backup.py::test_a_tampered_database_in_an_archive_is_refused",),
    ),
    # --- sign-in --------------------------------------------------------------------------
    Guard(
        "passwords hashed with argon2id at the recommended cost",
        "qms/auth/passwords.py",
        '    "recommended": lambda: PasswordHash.recommended(),',
        '    "recommended": lambda: PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024),)),',
        ("tests/foundation/test_passwords.py::test_passwords_are_hashed_with_argon2id",),
    ),
    Guard(
        "sign-in slows down per account",
        "qms/auth/service.py",
        "    _check_throttle(session, LoginFailure.email, email, max_failures, now)",
        "    pass",
        (f"{PAGES}::test_repeated_failures_slow_down_sign_in",),
    ),
    Guard(
        "sign-in slows down per address",
        "qms/auth/service.py",
        "    _check_throttle(session, LoginFailure.ip, ip, max_failures * 4, now)",
        "    pass",
        (f"{PAGES}::test_failures_from_one_address_slow_down_every_account_from_it",),
    ),
    Guard(
        "the sign-in wait is capped (no lock-out for ever)",
        "qms/auth/service.py",
        "    return min(timedelta(seconds=30) * (2 ** (failures - limit)), MAX_LOCKOUT)",
        "    return timedelta(seconds=30) * (2 ** (failures - limit))",
        (
            "tests/foundation/test_passwords.py::"
            "test_the_sign_in_wait_doubles_and_never_exceeds_its_cap",
        ),
    ),
    Guard(
        "an idle session expires",
        "qms/auth/service.py",
        "    if found is None or utcnow() - found[1].last_seen_at > idle:",
        "    if found is None:",
        (f"{PAGES}::test_an_idle_session_expires",),
    ),
    Guard(
        "Content-Security-Policy on every page",
        "qms/middleware.py",
        '                    extra.append((b"content-security-policy", CSP.encode()))',
        "                    pass",
        (f"{PAGES}::test_pages_carry_security_headers",),
    ),
    Guard(
        "CSP allows no inline script",
        "qms/middleware.py",
        "script-src 'self'; \"",
        "script-src 'self' 'unsafe-inline'; \"",
        (f"{PAGES}::test_pages_carry_security_headers",),
    ),
    Guard(
        "frame denial and nosniff headers",
        "qms/middleware.py",
        '    (b"x-frame-options", b"DENY"),\n',
        "",
        (f"{PAGES}::test_pages_carry_security_headers",),
    ),
    # --- signatures after signing -------------------------------------------------------
    Guard(
        "a reported audit's answers are frozen",
        "qms/audits/states.py",
        '    {AuditStatus.in_progress: AuditStatus.in_progress},\n    "audit.answer",',
        "    {AuditStatus.in_progress: AuditStatus.in_progress, AuditStatus.reported: "
        'AuditStatus.reported},\n    "audit.answer",',
        (
            f"{SIGNATURES}::test_a_reported_audit_refuses_every_change_to_what_was_signed",
            "tests/audits/test_checklist.py::test_answers_are_frozen_once_reported",
        ),
    ),
    # --- audits' actions (qms/audits/states.py, declared once beside ALLOWED) -------------
    Guard(
        "an audit's moves ask their permission rule",
        "qms/audits/states.py",
        "        permission,\n        _CANNOT_MOVE,",
        "        None,\n        _CANNOT_MOVE,",
        (
            f"{MATRIX}[POST /api/v1/audits/{{audit_id}}/start]",
            f"{MATRIX}[POST /audits/{{audit_id}}/cancel]",
            "tests/audits/test_transitions.py::test_only_the_quality_officer_closes",
        ),
    ),
    Guard(
        "starting an audit checks the version sent",
        "qms/audits/service.py",
        "    START.require(session=session, user=by, record=audit, version=version)",
        "    START.require(session=session, user=by, record=audit, version=None)",
        ("tests/audits/test_transitions.py::test_a_transition_with_a_stale_version_is_refused",),
    ),
    Guard(
        "the audit record offers exactly the forms its actions allow now",
        "qms/audits/web.py",
        '        "may": allowed_now(FORMS, user, audit, session=session),',
        '        "may": dict.fromkeys(FORMS, True),',
        ("tests/audits/test_transitions.py::test_the_record_page_offers_what_the_person_may_do",),
    ),
    Guard(
        "the checklist is read-only unless the person may answer it now",
        "qms/audits/web.py",
        '        "may_answer": ANSWER.refusal(user, audit, session=session) is None,',
        '        "may_answer": True,',
        ("tests/audits/test_checklist.py::test_answers_are_frozen_once_reported",),
    ),
    Guard(
        "an audit is read only by those who may (the service checks)",
        "qms/audits/service.py",
        '    require(by, "audit.read", audit)\n    return audit',
        "    return audit",
        (
            f"{MATRIX}[GET /api/v1/audits/{{audit_id}}]",
            f"{MATRIX}[GET /audits/{{audit_id}}/checklist]",
            "tests/reliability/test_visibility.py::test_a_guessed_id_of_what_one_may_not_open_is_refused",
        ),
    ),
    Guard(
        "void signatures shown on the revision page",
        "templates/documents/revision.html",
        "{% if void_signatures %}",
        "{% if false %}",
        (f"{SIGNATURES}::test_returning_a_reviewed_revision_voids_its_signature_visibly",),
    ),
    Guard(
        "a record that no longer hashes to what was signed says so",
        "qms/trail/service.py",
        '    if content_hash != signature.content_hash:\n        return "altered"',
        '    if False:\n        return "altered"',
        (
            f"{SIGNATURES}::test_a_closed_nonconformity_edited_in_the_database_shows_its_signature_no_longer_holds",
            f"{SIGNATURES}::test_a_reported_audit_edited_in_the_database_shows_its_signature_no_longer_holds",
        ),
    ),
    Guard(
        "exported cells never start a formula with typed text",
        "qms/documents/export.py",
        "    if isinstance(value, str) and value.startswith(_FORMULA_START):",
        "    if False:",
        (
            "tests/reliability/test_escaping.py::test_exported_registers_never_start_a_formula_with_typed_text",
        ),
    ),
    # --- PDF records ------------------------------------------------------------------------
    Guard(
        "PDF templates escape what people typed (autoescape)",
        "qms/reports/pdf.py",
        '    autoescape=select_autoescape(["html", "xml"]),',
        "    autoescape=False,",
        (
            "tests/reliability/test_escaping.py::test_document_text_is_escaped_in_pages_api_mail_and_controlled_copy",
        ),
    ),
    Guard(
        "PDF rendering fetches only the app's static files",
        "qms/reports/pdf.py",
        "            path = static_file(url)\n            return URLFetcherResponse(url, path.read_bytes(), {}, 200)",
        "            return super().fetch(url, headers)",
        (
            "tests/reports/test_pdf_fetching.py::test_the_renderer_fetches_no_file_no_host_and_no_css_url",
            "tests/reports/test_pdf_fetching.py::test_a_controlled_copy_with_hostile_content_fetches_nothing",
        ),
    ),
    Guard(
        "a PDF render past its time limit is stopped",
        "qms/reports/pdf.py",
        "        if not self.conn.poll(timeout):\n            raise TimeoutError",
        "        if not self.conn.poll(None):\n            raise TimeoutError",
        (
            "tests/reports/test_pdf_faults.py::test_a_report_that_runs_past_the_time_limit_is_stopped_and_nothing_is_kept",
        ),
    ),
    # --- management review ----------------------------------------------------------------
    Guard(
        "only the chair (top management) holds and signs a management review",
        "qms/reviews/permissions.py",
        "    return user.id == review.chair_id and is_top_management(user)",
        "    return True",
        (
            "tests/reviews/test_flow.py::test_only_the_chair_holds_and_a_stale_version_is_refused",
            f"{MATRIX}[POST /api/v1/management-reviews/{{review_id}}/hold]",
        ),
    ),
    Guard(
        "a held review keeps its frozen inputs",
        "qms/reviews/service.py",
        "    frozen = frozen_inputs(review)\n    if frozen is not None:\n        return frozen, True",
        "    frozen = frozen_inputs(review)\n    if False:\n        return frozen, True",
        (
            "tests/reviews/test_inputs.py::test_a_held_review_keeps_its_figures_when_the_records_change",
        ),
    ),
    Guard(
        "holding a review checks its version",
        "qms/reviews/service.py",
        "    HOLD.require(session=session, user=by, record=review, version=version, versioned=True)",
        "    HOLD.require(session=session, user=by, record=review)",
        ("tests/reviews/test_flow.py::test_only_the_chair_holds_and_a_stale_version_is_refused",),
    ),
    # --- certification evidence -------------------------------------------------------------
    Guard(
        "only a quality officer or an administrator exports the evidence pack",
        "qms/evidence/service.py",
        '    require(by, "evidence.export")\n    check_period(start, end)',
        "    check_period(start, end)",
        (
            f"{MATRIX}[POST /api/v1/evidence/exports]",
            "tests/evidence/test_cli.py::test_the_cli_refuses_someone_who_may_not_export",
        ),
    ),
    Guard(
        "an evidence period starts on or before its end",
        "qms/evidence/service.py",
        "    if start > end:\n",
        "    if False:\n",
        (
            "tests/evidence/test_export.py::test_a_period_that_ends_before_it_starts_is_refused_naming_the_field",
            "tests/evidence/test_cli.py::test_the_cli_refuses_a_period_that_ends_before_it_starts",
        ),
    ),
    Guard(
        "a kept file no longer matching its hash is left out of the evidence pack",
        "qms/evidence/service.py",
        "            intact = reports.kept_file_intact(settings=settings, kept=kept)",
        "            intact = True",
        (
            "tests/evidence/test_export.py::test_a_kept_file_that_was_altered_is_left_out_and_said_so",
        ),
    ),
    Guard(
        "an evidence pack is kept until it is downloaded",
        "qms/evidence/states.py",
        "    if export.status == Status.done.value and export.downloaded_at is None:",
        "    if False:",
        (
            "tests/evidence/test_export.py::test_a_pack_is_kept_until_downloaded_then_removable",
            "tests/evidence/test_pages.py::test_removing_a_pack_not_yet_downloaded_is_refused_on_the_page",
        ),
    ),
    # --- risks and opportunities ------------------------------------------------------------
    Guard(
        "accepting a high or critical risk needs its department's manager",
        "qms/risks/service.py",
        '            require(by, "risk.accept_high", risk)',
        "            pass",
        (
            "tests/risks/test_rules.py::test_accepting_a_high_risk_needs_its_departments_manager_and_a_justification",
        ),
    ),
    Guard(
        "a stale re-assessment of a risk is refused",
        "qms/risks/service.py",
        "    REASSESS.require(session=session, user=by, record=risk, version=version, versioned=True)",
        "    REASSESS.require(session=session, user=by, record=risk)",
        (
            "tests/risks/test_rules.py::test_reassessment_is_kept_as_history_and_a_stale_one_is_refused",
        ),
    ),
    Guard(
        "likelihood and impact are 1 to 5",
        "qms/risks/service.py",
        "or value not in SCALE:",
        "or False:",
        (
            "tests/risks/test_scoring.py::test_the_service_refuses_a_rating_outside_1_to_5_naming_its_field",
            "tests/risks/test_journey.py::test_manager_scores_treats_and_reassesses_a_risk_through_the_pages",
        ),
    ),
    Guard(
        "the risk register's exported cells never start a formula",
        "qms/risks/exports.py",
        '    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\\t", "\\r"):',
        "    if False:",
        (
            "tests/risks/test_registers.py::test_csv_export_follows_the_filters_and_keeps_formulas_as_text",
            "tests/risks/test_registers.py::test_xlsx_export_colours_the_level",
        ),
    ),
    Guard(
        "removing a risk's link needs the entry's owner, manager or a quality officer",
        "qms/risks/states.py",
        'LINK = Action(MACHINE, "linked", _STAYS, "risk.manage", _CLOSED)',
        'LINK = Action(MACHINE, "linked", _STAYS, None, _CLOSED)',
        (
            f"{MATRIX}[DELETE /api/v1/risks/{{risk_id}}/links/{{link_id}}]",
            "tests/risks/test_links.py::test_a_link_made_by_mistake_is_removed_and_the_trail_keeps_it",
        ),
    ),
    Guard(
        "a closed risk keeps its links",
        "qms/risks/states.py",
        'LINK = Action(MACHINE, "linked", _STAYS,',
        'LINK = Action(MACHINE, "linked", {**_STAYS, Status.closed: Status.closed},',
        ("tests/risks/test_links.py::test_a_closed_entry_keeps_its_links",),
    ),
    # --- signed records and /verify -----------------------------------------------------------
    Guard(
        "/verify: a kept record's hash alone is not enough, its signature must hold",
        "qms/reports/service.py",
        '        if not check.valid:\n            return answer("signature_invalid"',
        '        if False:\n            return answer("signature_invalid"',
        (f"{VERIFY}::test_a_kept_hash_whose_signature_does_not_hold_is_not_valid",),
    ),
    Guard(
        "/verify: unaltered only when the file's SHA-256 is a kept record's",
        "qms/reports/service.py",
        "    kept = session.exec(select(KeptRecord).where(KeptRecord.sha256 == sha256)).first()\n\n",
        "    kept = session.exec(select(KeptRecord).where(KeptRecord.sha256 == sha256)).first()\n"
        "    kept = kept or _claimed(session, data)\n\n",
        (f"{VERIFY}::test_one_changed_byte_is_altered_and_its_signature_fails",),
    ),
    Guard(
        "signatures are trusted only from this system's certificate",
        "qms/reports/signing.py",
        "    if fingerprint not in trusted:",
        "    if False:",
        (f"{VERIFY}::test_a_foreign_pdf_is_not_a_record_of_this_system",),
    ),
    Guard(
        "a kept record is served only while it matches its SHA-256",
        "qms/reports/service.py",
        "    if hashlib.sha256(data).hexdigest() != kept.sha256:\n        raise Unavailable(",
        "    if False:\n        raise Unavailable(",
        ("tests/reports/test_signed_records.py::test_a_kept_file_changed_on_disk_is_withheld",),
    ),
    Guard(
        "a wrong signing certificate or password stops start-up",
        "qms/config.py",
        "            signing.check(self)",
        "            pass",
        (
            "tests/reports/test_signing_setup.py::test_a_wrong_path_or_password_stops_start_up_with_one_line",
        ),
    ),
]


def _dirty(files: set[str]) -> list[str]:
    out = subprocess.run(  # noqa: S603 - fixed program, paths from the list above
        ["git", "status", "--porcelain", "--", *sorted(files)],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line[3:] for line in out.splitlines() if line.strip()]


def _postgres_database(url: str):
    """A context manager making a fresh database next to the one `url` names."""
    from contextlib import contextmanager

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    @contextmanager
    def fresh():
        base = make_url(url)
        name = f"{base.database}_guard_{os.getpid()}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    return fresh()


# A removal that makes its tests hang (a time limit taken away) is noticed too: the run is
# stopped after this many seconds.
HANG_SECONDS = 240
HUNG = -1


def _pytest(tests: tuple[str, ...], database_url: str | None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "QMS_TEST_DATABASE_URL"}
    if database_url:
        env["QMS_TEST_DATABASE_URL"] = database_url
    run = subprocess.Popen(  # noqa: S603 - this interpreter, node ids from the list above
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a hung run is stopped whole
    )
    try:
        output, _ = run.communicate(timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        output, _ = run.communicate()
        return HUNG, output or ""
    return run.returncode, output or ""


def _short(node: str) -> str:
    """tests/x/test_y.py::test_z[a b/c] → test_y.py::test_z[a b/c]"""
    path, _, rest = node.partition("::")
    return f"{path.rsplit('/', 1)[-1]}::{rest}" if rest else path.rsplit("/", 1)[-1]


def _first_failure(output: str) -> str:
    found = re.search(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", output, re.MULTILINE)
    if not found:
        return ""
    return found.group(1).split("::", 1)[-1]


def _run(guard: Guard, database_url: str | None) -> tuple[bool, str]:
    """Apply the removal, run the tests, restore. True when the tests noticed."""
    path = ROOT / guard.file
    original = path.read_bytes()
    text = original.decode("utf-8")
    found = text.count(guard.guard)
    if found != 1:
        return False, f"guard text found {found} times in {guard.file}"
    try:
        path.write_text(text.replace(guard.guard, guard.broken), encoding="utf-8")
        code, output = _pytest(guard.tests, database_url)
    finally:
        path.write_bytes(original)
    if code == 1:
        return True, f"failed (good): {_first_failure(output)}"
    if code == HUNG:
        return True, f"hung (good): the tests did not finish in {HANG_SECONDS} s"
    if code == 0:
        return False, "still passing (bad)"
    tail = " | ".join(output.strip().splitlines()[-3:])
    return False, f"pytest exit {code} (not a test failure): {tail[:200]}"


def _baseline(guard: Guard, database_url: str | None) -> tuple[bool, str]:
    code, output = _pytest(guard.tests, database_url)
    if code == 0:
        return True, ""
    return False, f"tests fail with the guard in place (exit {code}): {_first_failure(output)}"


def main(argv: list[str] | None = None) -> int:
    # A stopped run still puts every file back (the `finally` in _run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only guards whose name contains these")
    parser.add_argument("--list", action="store_true", help="list the guards and stop")
    parser.add_argument("--baseline", action="store_true", help="first check the tests pass")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("QMS_TEST_DATABASE_URL"),
        help="server for the PostgreSQL guards (a fresh database is made on it for each)",
    )
    parser.add_argument(
        "--postgres-only", action="store_true", help="only the guards marked PostgreSQL"
    )
    args = parser.parse_args(argv)
    chosen = [
        g
        for g in GUARDS
        if (not args.names or any(n.lower() in g.name.lower() for n in args.names))
        and (g.postgres or not args.postgres_only)
    ]
    if not chosen:
        print("no guard matches " + ", ".join(args.names))
        return 2
    if args.list:
        for g in chosen:
            where = "PostgreSQL" if g.postgres else "SQLite"
            print(f"{g.name} [{where}] {g.file}\n    " + "\n    ".join(g.tests))
        return 0
    dirty = _dirty({g.file for g in chosen})
    if dirty:
        print("refusing to start: uncommitted changes to " + ", ".join(dirty))
        return 2

    rows: list[tuple[str, str, str, str]] = []
    bad = 0
    for guard in chosen:
        started = time.monotonic()
        where = "PostgreSQL" if guard.postgres else "SQLite"
        if guard.postgres and not args.postgres:
            tests = ", ".join(_short(t) for t in guard.tests)
            rows.append((guard.name, where, tests, "skipped: no --postgres"))
            continue
        if guard.postgres:
            # A fresh database for each run: a migration is a guard too (the trail trigger).
            ok, result = True, ""
            if args.baseline:
                with _postgres_database(args.postgres) as url:
                    ok, result = _baseline(guard, url)
            if ok:
                with _postgres_database(args.postgres) as url:
                    ok, result = _run(guard, url)
        else:
            ok, result = _baseline(guard, None) if args.baseline else (True, "")
            if ok:
                ok, result = _run(guard, None)
        bad += not ok
        tests = ", ".join(_short(t) for t in guard.tests)
        rows.append((guard.name, where, tests, result))
        print(
            f"{'ok ' if ok else 'BAD'} {guard.name} ({time.monotonic() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    print()
    print("| guard removed | database | tests | result |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    checked = sum(1 for r in rows if not r[3].startswith("skipped"))
    print(
        f"\n{checked} guards removed one at a time, {checked - bad} noticed by their tests, "
        f"{bad} not."
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
