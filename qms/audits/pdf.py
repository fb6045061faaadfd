"""The PDF audit record: templates/pdf/audit_report.html rendered through qms.reports.pdf.

The layout is chosen for speed: the checklist is blocks, the other tables fixed-layout, one
small stylesheet (audit_report.css) plus the running header and footer. Rendering, its time
limit and what it may fetch are qms.reports.pdf's.
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from qms.audits import findings
from qms.audits.models import RESULT_LABELS, RESULT_SHORT, Audit, Result
from qms.auth.models import Department
from qms.i18n import Formatter, ngettext_with, translations
from qms.pages import env
from qms.reports.pdf import render_pdf, stylesheet
from qms.reports.service import signature_block
from qms.trail.models import Signature


def _css_string(text: str) -> str:
    """Text as a quoted CSS string (for the page-margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def margin_css(*, organisation: str, code: str, gettext) -> str:
    """The running header and footer: who, which record, page X of Y. Two margin boxes, not
    four: each box is laid out (and sized against its neighbours) on every page."""
    before, _sep, rest = gettext("Page %(page)s of %(pages)s").partition("%(page)s")
    middle, _sep, after = rest.partition("%(pages)s")
    header = _css_string(f"{organisation} · {gettext('Internal audit report')} {code}")
    retained = gettext("Retained documented information (ISO 9001:2015, 9.2.2 f)")
    footer = (
        f"{_css_string(f'{retained} · {before}')} counter(page) {_css_string(middle)} "
        f"counter(pages) {_css_string(after)}"
    )
    return f"@page {{ @top-left {{ content: {header}; }} @bottom-right {{ content: {footer}; }} }}"


def _by_clause(items, lang: str) -> list[dict]:
    """One row per clause (sorted as numbers): how many items got each result."""
    rows: dict[str, dict] = {}
    for item in items:
        row = rows.setdefault(
            item.clause,
            {"clause": item.clause, "title": item.section_title(lang), "counts": Counter()},
        )
        row["counts"][item.result] += 1
    return sorted(rows.values(), key=lambda r: tuple(int(p) for p in r["clause"].split(".")))


def report_context(*, session: Session, audit: Audit, signature: Signature, settings) -> dict:
    from qms.audits import service

    lang = settings.lang
    translator = translations(lang)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    def ngettext(singular: str, plural: str, n: int, **params) -> str:
        params.setdefault("num", n)
        return ngettext_with(translator, singular, plural, n) % params

    items = service.items_of(session=session, audit=audit)
    lists = service.checklists_of(session=session, audit=audit)
    attachments = service.attachments_of(session=session, item_ids=[i.id for i in items])
    people = service.people(session=session, ids=[audit.lead_auditor_id, *audit.auditor_ids])
    raised = findings.by_item(session=session, audit=audit)
    items_by_list: dict[int, list] = {c.id: [] for c in lists}
    for item in items:
        items_by_list[item.checklist_id].append(item)
    nonconforming = [i for i in items if i.result and Result(i.result).is_nonconformity]
    totals = Counter(i.result for i in items)
    return {
        "_": _,
        "ngettext": ngettext,
        "lang": lang,
        "fmt": Formatter(lang, settings.tz),
        "organisation": settings.organisation,
        "audit": audit,
        "department": session.get(Department, audit.department_id),
        "lead": people.get(audit.lead_auditor_id),
        "team": [people[i] for i in audit.auditor_ids if i in people],
        "checklists": [(c, items_by_list[c.id]) for c in lists],
        "attachments": attachments,
        "clause_rows": _by_clause(items, lang),
        "results": list(Result),
        "result_labels": RESULT_LABELS,
        "result_short": RESULT_SHORT,
        "totals": totals,
        "total": len(items),
        "nonconforming": nonconforming,
        "raised": raised,
        "observations": [i for i in items if i.result == Result.observation.value],
        "improvements": [i for i in items if i.result == Result.improvement.value],
        "signature": signature,
        "margin_css": margin_css(
            organisation=settings.organisation, code=audit.code, gettext=translator.gettext
        ),
    }


def render_html(context: dict) -> str:
    return env.get_template("pdf/audit_report.html").render(context)


def render_audit_report(
    *, session: Session, audit: Audit, signature: Signature, settings, signed: bool = True
) -> bytes:
    """The report as PDF; `signed`: with the digital signature's block (the kept record)."""
    context = report_context(session=session, audit=audit, signature=signature, settings=settings)
    if signed:
        context["signature_block"] = signature_block(settings)
    return render_pdf(
        render_html(context),
        stylesheets=[stylesheet("audit_report.css"), context["margin_css"]],
        timeout=settings.pdf_timeout,
    )
