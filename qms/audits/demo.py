"""Demo audits: this year's programme for the office, one audit reported with its PDF, one
in progress with some answers, two planned; auditors never audit their own department."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from qms.audits import checklists, service
from qms.audits.models import Result
from qms.db import clock_at
from qms.demo import PASSWORD

OBJECTIVES = (
    "1. Xác nhận HTQLCL của Văn phòng phù hợp TCVN ISO 9001:2015 và được áp dụng ở mọi "
    "phòng, đơn vị trước kỳ đánh giá giám sát của tổ chức chứng nhận.\n"
    "2. Đánh giá việc tiếp nhận, giải quyết và trả kết quả hồ sơ TTHC tại Trung tâm Phục vụ "
    "hành chính công: mục tiêu 98 % hồ sơ giải quyết đúng hạn (năm 2020: 6.827 trên 7.182 "
    "hồ sơ tiếp nhận đã giải quyết, 355 đang giải quyết).\n"
    "3. Kiểm tra việc trả kết quả qua dịch vụ bưu chính công ích (năm 2020: 403 hồ sơ tiếp "
    "nhận, 827 kết quả trả qua bưu điện) và việc xin lỗi khi trả kết quả trễ hạn.\n"
    "4. Mỗi phòng, đơn vị được đánh giá ít nhất một lần trong năm."
)
CRITERIA = (
    "TCVN ISO 9001:2015; Sổ tay chất lượng ST-01; các quy trình QT-01 đến QT-10 của Văn "
    "phòng; Nghị định 61/2018/NĐ-CP và các văn bản sửa đổi, bổ sung; Quyết định "
    "101/2018/QĐ-TTg."
)
# Answers for the reported audit of the one-stop centre, by item ref; others are conform.
ONE_STOP_FINDINGS = {
    "TRK-3": (
        Result.major_nc,
        "Kiểm tra 60 hồ sơ TTHC trả kết quả tháng 5: 7 hồ sơ trễ hạn không có văn bản xin lỗi "
        "công dân, tổ chức và không ghi lý do trễ hạn vào phiếu theo dõi; phần mềm một cửa không "
        "cảnh báo hồ sơ sắp đến hạn.",
    ),
    "STAFF-3": (
        Result.minor_nc,
        "Ngày 14/5 không có hồ sơ nào được tiếp nhận tại quầy của Văn phòng trong buổi chiều: "
        "công chức nghỉ phép, chưa phân công người thay thế; tài khoản của công chức đã luân "
        "chuyển từ tháng 3 vẫn còn hoạt động trên hệ thống một cửa điện tử.",
    ),
    "FAC-1": (
        Result.observation,
        "Thiết bị đánh giá sự hài lòng tại quầy số 4 hỏng từ 02/6, đã có phiếu báo hỏng nhưng "
        "chưa được sửa; dữ liệu khảo sát của quầy bị thiếu 6 ngày.",
    ),
}
ONE_STOP_IMPROVEMENT = (
    Result.improvement,
    "Có thể gửi tin nhắn SMS tự động cho người dân khi hồ sơ có kết quả, để giảm số lượt "
    "đến quầy hỏi tiến độ.",
)


def _answers(
    *, session: Session, audit, by, plan: dict, default=None, limit=None, today, settings
) -> None:
    from qms.demo import moment

    items = service.items_of(session=session, audit=audit)
    for index, item in enumerate(items):
        if limit is not None and index >= limit:
            break
        result, evidence = plan.get(item.ref, default or (None, ""))
        if result is None:
            continue
        # Answered through the day, a few minutes per item, from 08:30.
        minutes = 8 * 60 + 30 + index * 4
        with clock_at(moment(settings, today, min(minutes // 60, 17), minutes % 60)):
            service.answer_item(
                session=session,
                by=by,
                item=item,
                result=result,
                evidence=evidence,
                version=item.version,
                lang="vi",
                today=today,
            )


def load(*, session: Session, settings, departments, people) -> None:
    if not checklists.catalogue().templates:
        return
    from qms.demo import moment

    today = datetime.now(settings.tz).date()
    officer, hung, mai = people["chatluong"], people["danhgia"], people["danhgia2"]
    year_start = today.replace(month=1, day=1)
    with clock_at(moment(settings, year_start + timedelta(days=7), 9, 0)):
        service.create_programme(
            session=session, by=officer, year=today.year, objectives=OBJECTIVES
        )

    def plan(title, scope, department, lead, team, start, days, templates):
        # Planned a month ahead (or on the programme's first days), never after today.
        planned_on = max(year_start + timedelta(days=8), start - timedelta(days=30))
        with clock_at(moment(settings, min(planned_on, today), 10, 0)):
            return _plan(title, scope, department, lead, team, start, days, templates)

    def _plan(title, scope, department, lead, team, start, days, templates):
        return service.create_audit(
            session=session,
            by=officer,
            title=title,
            scope=scope,
            criteria=CRITERIA,
            department_id=departments[department].id,
            lead_auditor_id=lead.id,
            auditor_ids=[m.id for m in team],
            planned_start_on=start,
            planned_end_on=start + timedelta(days=days),
            template_keys=templates,
        )

    reported = plan(
        "Tiếp nhận và trả kết quả hồ sơ TTHC tại Trung tâm Phục vụ hành chính công",
        "Quầy tiếp nhận và trả kết quả của Văn phòng tại Trung tâm; hồ sơ tiếp nhận từ 01/01 "
        "đến ngày đánh giá; trả kết quả tại quầy và qua dịch vụ bưu chính công ích.",
        "TTPVHCC",
        hung,
        [mai],
        max(year_start, today - timedelta(days=170)),
        1,
        ["one-stop-dossiers"],
    )
    with clock_at(moment(settings, reported.planned_start_on, 8, 0)):
        service.start_audit(session=session, by=hung, audit=reported)
    plan_answers = dict(ONE_STOP_FINDINGS)
    plan_answers["TRK-2"] = ONE_STOP_IMPROVEMENT
    default = (Result.conform, "Đã kiểm tra mẫu hồ sơ trên hệ thống và tại quầy: phù hợp.")
    _answers(
        session=session,
        audit=reported,
        by=mai,
        plan=plan_answers,
        default=default,
        today=reported.planned_start_on,
        settings=settings,
    )
    with clock_at(moment(settings, reported.planned_end_on, 16, 0)):
        service.report_audit(
            session=session,
            by=hung,
            audit=reported,
            password=PASSWORD,
            summary=(
                "Quá trình tiếp nhận và trả kết quả hồ sơ TTHC tại quầy của Văn phòng được thực "
                "hiện cơ bản phù hợp với QT-06, QT-07, QT-08 và TCVN ISO 9001:2015. Phát hiện 01 "
                "điểm không phù hợp nặng (hồ sơ trễ hạn không có văn bản xin lỗi), 01 điểm không "
                "phù hợp nhẹ (bố trí người thay thế tại quầy, quản lý tài khoản), 01 khuyến nghị "
                "và 01 cơ hội cải tiến."
            ),
            strengths=(
                "100 % văn bản trao đổi qua E-Office có ký số; công chức tại quầy nắm vững thành "
                "phần hồ sơ."
            ),
            settings=settings,
        )
    _follow_up_major_finding(session=session, settings=settings, audit=reported, people=people)

    ongoing = plan(
        "Đánh giá HTQLCL tại Phòng Hành chính – Tổ chức",
        "Toàn bộ các quá trình của Phòng Hành chính – Tổ chức thuộc phạm vi HTQLCL, hồ sơ "
        "từ 01/01 đến ngày đánh giá.",
        "HCTC",
        mai,
        [hung],
        max(year_start, today - timedelta(days=1)),
        2,
        ["iso9001-2015"],
    )
    with clock_at(moment(settings, ongoing.planned_start_on, 8, 0)):
        service.start_audit(session=session, by=mai, audit=ongoing)
    _answers(
        session=session,
        audit=ongoing,
        by=mai,
        plan={
            "4.1-2": (
                Result.improvement,
                "Tài liệu bối cảnh chưa cập nhật việc quầy tiếp nhận thêm hồ sơ cho BHXH tỉnh.",
            )
        },
        default=(Result.conform, "Đã phỏng vấn Trưởng phòng và xem hồ sơ: phù hợp."),
        limit=12,
        today=ongoing.planned_start_on,
        settings=settings,
    )
    plan(
        "Đánh giá HTQLCL tại Phòng Kiểm soát thủ tục hành chính",
        "Công bố, công khai TTHC; theo dõi tình hình giải quyết hồ sơ; tiếp nhận phản ánh, "
        "kiến nghị.",
        "KSTT",
        hung,
        [],
        today + timedelta(days=7),
        1,
        ["iso9001-2015"],
    )
    plan(
        "Đánh giá HTQLCL tại Phòng Tổng hợp",
        "Tham mưu tổng hợp, theo dõi thực hiện mục tiêu chất lượng, xem xét của lãnh đạo.",
        "TH",
        mai,
        [],
        today + timedelta(days=21),
        1,
        ["iso9001-2015"],
    )


def _follow_up_major_finding(*, session: Session, settings, audit, people) -> None:
    """The audit's major finding, investigated and given two actions (both now overdue)."""
    from qms.demo import moment
    from qms.nonconformities import service as nonconformities

    major = next(
        nc
        for nc in nonconformities.for_audit(session=session, audit_id=audit.id)
        if nc.severity == "major"
    )
    director = people["giamdoc"]
    raised_on = major.raised_on
    with clock_at(moment(settings, raised_on + timedelta(days=4), 14, 0)):
        nonconformities.investigate(
            session=session,
            nc=major,
            by=director,
            containment="Gửi văn bản xin lỗi 7 công dân, tổ chức; rà soát các hồ sơ đang giải "
            "quyết sắp đến hạn.",
            root_cause_method="five_whys",
            whys=[
                "Công dân không nhận được văn bản xin lỗi khi hồ sơ trễ hạn.",
                "Chuyên viên tiếp nhận không biết hồ sơ đã trễ hạn ở cơ quan giải quyết.",
                "Phiếu theo dõi quá trình xử lý hồ sơ không được cập nhật khi chuyển hồ sơ.",
                "Phần mềm một cửa không cảnh báo hồ sơ sắp đến hạn và quá hạn.",
                "Quy trình tiếp nhận và trả kết quả chưa giao người theo dõi hạn giải quyết.",
            ],
        )
    planned_on = raised_on + timedelta(days=5)
    for owner, description, due_in in (
        (
            people["nhanvien"],
            "Cấu hình cảnh báo hạn giải quyết trên phần mềm một cửa (trước 2 ngày).",
            20,
        ),
        (
            people["nhanvien2"],
            "Sửa quy trình tiếp nhận và trả kết quả: giao người theo dõi hạn, mẫu văn bản xin lỗi.",
            45,
        ),
    ):
        with clock_at(moment(settings, planned_on, 15, 0)):
            nonconformities.plan_action(
                session=session,
                nc=major,
                by=director,
                description=description,
                owner_id=owner.id,
                due_on=planned_on + timedelta(days=due_in),
                today=planned_on,
            )
