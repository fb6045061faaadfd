"""Demo data: the office's procedures imported from procedures_docs/ and taken through the
real sign-off chain (drafter → reviewer → approver), most of them effective and distributed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from qms.config import PROJECT_ROOT, Settings
from qms.db import clock_at
from qms.documents import importer, service
from qms.documents.models import ControlledDocument

# Reviewer by owner department: someone who knows the process and did not draft it.
REVIEWERS = {
    "HCTC": "truongphong",
    "TTPVHCC": "giamdoc",
    "KSTT": "danhgia2",
    "TH": "danhgia",
    "VP": "truongphong",
}
# Left on the way, so that the reviewer and the approver find work waiting for them.
STOP_IN_REVIEW = {"QT-08"}
STOP_REVIEWED = {"QT-10"}
EVERYONE = ("CS-01", "ST-01", "QT-01", "QT-02", "QT-03", "QT-04", "QT-05")
ONE_STOP = {"QT-06": ("TTPVHCC", "VP"), "QT-08": ("TTPVHCC", "VP")}
QT06_ADDITION = (
    "\n## Bổ sung (lần ban hành 01)\n\n"
    "Hồ sơ gửi qua dịch vụ bưu chính công ích được tiếp nhận như hồ sơ nộp trực tiếp: "
    "công chức tiếp nhận ghi ngày đến theo dấu bưu điện, cập nhật vào hệ thống một cửa "
    "điện tử trong ngày và gửi phiếu hẹn trả kết quả qua bưu chính cho người nộp.\n"
)


def load(*, session: Session, settings: Settings, departments, people) -> None:
    from qms.demo import PASSWORD, moment

    today = datetime.now(settings.tz).date()
    officer, approver = people["chatluong"], people["chanhvp"]
    department_code = {d.id: code for code, d in departments.items()}

    def issued_on(index: int, code: str):
        # Issued on paper before the system: most a few months ago, one due for review soon.
        months_ago = 11 if code == "QT-05" else 4 + index % 5
        return today - timedelta(days=months_ago * 30 + 10)

    # Each step at the date the records claim: drafted three weeks before the effective
    # date, reviewed, approved, published and distributed on it, acknowledged after.
    first_issue = issued_on(0, "QT-05")  # the oldest issue
    with clock_at(moment(settings, first_issue - timedelta(days=21), 8, 30)):
        importer.import_folder(
            session=session, by=officer, folder=PROJECT_ROOT / "procedures_docs"
        )
    documents = session.exec(
        select(ControlledDocument).order_by(col(ControlledDocument.code))
    ).all()

    def route(revision, code, effective_on):
        reviewer = people[REVIEWERS[department_code[revision.document.department_id]]]
        with clock_at(moment(settings, effective_on - timedelta(days=14), 9, 15)):
            service.submit(
                session=session,
                by=officer,
                revision=revision,
                reviewer_id=reviewer.id,
                approver_id=approver.id,
            )
        if code in STOP_IN_REVIEW:
            return
        with clock_at(moment(settings, effective_on - timedelta(days=10), 10, 30)):
            service.review(
                session=session,
                by=reviewer,
                revision=revision,
                password=PASSWORD,
                comment="Nội dung phù hợp với thực tế thực hiện.",
            )
        if code in STOP_REVIEWED:
            return
        with clock_at(moment(settings, effective_on - timedelta(days=7), 14, 0)):
            service.approve(session=session, by=approver, revision=revision, password=PASSWORD)
        with clock_at(moment(settings, effective_on, 8, 0)):
            service.publish(
                session=session,
                by=officer,
                revision=revision,
                today=effective_on,
                effective_on=effective_on,
                settings=settings,
            )

    dated = sorted(
        ((issued_on(index, d.code), d) for index, d in enumerate(documents)),
        key=lambda pair: (pair[0], pair[1].code),
    )
    for issued, document in dated:
        draft = service.open_revision(session=session, document=document)
        route(draft, document.code, issued)
        if document.code in EVERYONE:
            targets = list(departments)
        elif document.code in ONE_STOP:
            targets = ONE_STOP[document.code]
        else:
            targets = ("KSTT", "TTPVHCC")
        with clock_at(moment(settings, issued, 8, 15)):
            service.distribute(
                session=session,
                by=officer,
                document=document,
                department_ids=[departments[c].id for c in targets],
            )

    # QT-06 was revised once in the system: its issue 00 is now superseded by 01.
    qt06 = next(d for d in documents if d.code == "QT-06")
    current = service.effective_revision(session=session, document=qt06)
    revised_on = today - timedelta(days=20)
    with clock_at(moment(settings, revised_on - timedelta(days=16), 15, 0)):
        revision = service.create_revision(
            session=session,
            by=officer,
            document=qt06,
            content_md=current.content_md.rstrip("\n") + "\n" + QT06_ADDITION,
            change_summary="Bổ sung tiếp nhận hồ sơ qua dịch vụ bưu chính công ích.",
        )
    route(revision, "QT-06", revised_on)

    # One member of staff has read the one-stop procedures; the other has not yet.
    reader = people["nhanvien2"]
    for document in documents:
        effective = service.effective_revision(session=session, document=document)
        if effective is not None and document.code in ("QT-06", "ST-01"):
            with clock_at(moment(settings, effective.effective_on + timedelta(days=3), 10, 0)):
                service.acknowledge(session=session, by=reader, revision=effective)
