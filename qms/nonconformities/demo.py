"""Demo nonconformities of the provincial office, in every state of their life."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from qms.config import Settings
from qms.db import clock_at
from qms.nonconformities import service


def load(*, session: Session, settings: Settings, departments: dict, people: dict) -> None:
    from qms.demo import PASSWORD, moment

    today = datetime.now(settings.tz).date()
    days = settings.effectiveness_check_days
    centre, hctc, vp = departments["TTPVHCC"], departments["HCTC"], departments["VP"]
    auditor, quality = people["danhgia"], people["chatluong"]
    director, head_hctc = people["giamdoc"], people["truongphong"]

    def on(ago, hour=9):
        # Each step at the date the record claims for it, through the same services.
        return clock_at(moment(settings, today - timedelta(ago), hour))

    def raised(ago, **fields):
        with on(ago):
            return service.raise_nonconformity(
                session=session, today=today - timedelta(ago), **fields
            )

    def investigated(nc, by, containment, ago, **cause):
        with on(ago, 14):
            service.investigate(session=session, nc=nc, by=by, containment=containment, **cause)

    def planned(nc, by, owner, description, ago, due_in):
        with on(ago, 15):
            return service.plan_action(
                session=session,
                nc=nc,
                by=by,
                description=description,
                owner_id=owner.id,
                due_on=today - timedelta(ago) + timedelta(due_in),
                today=today - timedelta(ago),
            )

    def done(action, by, evidence, ago):
        with on(ago, 16):
            service.complete_action(
                session=session,
                action=action,
                by=by,
                evidence=evidence,
                today=today - timedelta(ago),
                check_days=days,
            )

    # 1. Late dossiers returned without a letter of apology: actions under way, one late.
    # 1. The audit's major finding on late dossiers is raised by the audit (qms.audits.demo).

    # 2. A result returned by post and lost: all actions done, the check due.
    lost = raised(
        50,
        by=quality,
        source="customer_complaint",
        department_id=centre.id,
        clause="8.5.4",
        severity="minor",
        description="Công dân phản ánh không nhận được kết quả giải quyết gửi qua dịch vụ bưu "
        "chính công ích; bưu điện không tìm thấy bưu gửi.",
    )
    investigated(
        lost,
        director,
        "Cấp lại bản sao kết quả và chuyển phát lại cho công dân, có ký nhận.",
        47,
        root_cause_method="fishbone",
        root_cause="Không có sổ giao nhận bưu gửi giữa Trung tâm và bưu điện nên không xác "
        "định được bưu gửi đã bàn giao hay chưa.",
    )
    book = planned(
        lost,
        director,
        people["nhanvien2"],
        "Lập sổ giao nhận bưu gửi có chữ ký của nhân viên bưu điện.",
        45,
        10,
    )
    done(book, people["nhanvien2"], "Sổ giao nhận bưu gửi áp dụng từ ngày 01/8, đã ký đủ.", 38)

    # 3. An objective not met: just raised.
    raised(
        3,
        by=quality,
        source="process_monitoring",
        department_id=centre.id,
        clause="9.1.3",
        severity="minor",
        description="Tỷ lệ hồ sơ trả kết quả đúng hạn quý III đạt 94,8 %, dưới mục tiêu chất "
        "lượng 98 %.",
    )

    # 4. Incoming documents not entered in the E-Office the same day: closed and signed.
    eoffice = raised(
        90,
        by=auditor,
        source="internal_audit",
        department_id=hctc.id,
        clause="7.5.3",
        severity="minor",
        description="Văn bản đến ngày 12 và 13/5 được cập nhật vào E-Office chậm 2 ngày làm việc.",
    )
    investigated(
        eoffice,
        head_hctc,
        "Cập nhật ngay các văn bản tồn và chuyển xử lý.",
        87,
        root_cause_method="other",
        root_cause="Chỉ một chuyên viên được phân quyền vào sổ văn bản đến; khi vắng không có "
        "người thay.",
    )
    rights = planned(
        eoffice,
        head_hctc,
        people["admin"],
        "Phân quyền vào sổ văn bản đến cho chuyên viên thứ hai.",
        85,
        5,
    )
    done(rights, people["admin"], "Đã phân quyền cho 02 chuyên viên trên E-Office.", 82)
    with on(20, 10):
        service.verify(
            session=session,
            nc=eoffice,
            by=quality,
            result="effective",
            comment="Kiểm tra sổ văn bản đến tháng 6, 7: không còn văn bản cập nhật chậm.",
            today=today - timedelta(20),
        )
    with on(19, 11):
        service.close(
            session=session, nc=eoffice, by=head_hctc, password=PASSWORD, settings=settings
        )

    # 5. Raised by the certification body: under investigation.
    external = raised(
        12,
        by=quality,
        source="external_audit",
        department_id=vp.id,
        clause="7.2",
        severity="minor",
        description="Chưa lưu hồ sơ đánh giá năng lực của 2 công chức mới tuyển dụng.",
    )
    investigated(
        external,
        people["chanhvp"],
        "Bổ sung hồ sơ năng lực của 2 công chức.",
        8,
        root_cause_method="other",
        root_cause="Quy định về hồ sơ nhân sự chưa nêu hồ sơ đánh giá năng lực.",
    )

    # 6. Recorded twice: cancelled.
    twice = raised(
        30,
        by=auditor,
        source="internal_audit",
        department_id=centre.id,
        clause="8.5.1",
        severity="minor",
        description="Hồ sơ trễ hạn không có văn bản xin lỗi (ghi trùng).",
    )
    with on(29, 10):
        service.cancel(
            session=session,
            nc=twice,
            by=quality,
            reason="Trùng với phát hiện của cuộc đánh giá nội bộ tại Trung tâm về hồ sơ trễ hạn.",
        )
