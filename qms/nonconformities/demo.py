"""Demo nonconformities of the provincial office, in every state of their life."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from qms.config import Settings
from qms.nonconformities import service


def load(*, session: Session, settings: Settings, departments: dict, people: dict) -> None:
    from qms.demo import PASSWORD

    today = datetime.now(settings.tz).date()
    days = settings.effectiveness_check_days
    centre, hctc, vp = departments["TTPVHCC"], departments["HCTC"], departments["VP"]
    auditor, quality = people["danhgia"], people["chatluong"]
    director, head_hctc = people["giamdoc"], people["truongphong"]

    def raised(ago, **fields):
        return service.raise_nonconformity(session=session, today=today - timedelta(ago), **fields)

    def investigated(nc, by, containment, **cause):
        service.investigate(session=session, nc=nc, by=by, containment=containment, **cause)

    def planned(nc, by, owner, description, ago, due_in):
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
        service.complete_action(
            session=session,
            action=action,
            by=by,
            evidence=evidence,
            today=today - timedelta(ago),
            check_days=days,
        )

    # 1. Late dossiers returned without a letter of apology: actions under way, one late.
    late = raised(
        40,
        by=auditor,
        source="internal_audit",
        department_id=centre.id,
        clause="8.5.1",
        severity="major",
        description="Kiểm tra 60 hồ sơ TTHC trả kết quả tháng 6: 7 hồ sơ trễ hạn không có "
        "văn bản xin lỗi công dân, tổ chức và không ghi lý do trễ hạn vào phiếu theo dõi.",
    )
    investigated(
        late,
        director,
        "Gửi văn bản xin lỗi 7 công dân, tổ chức; rà soát các hồ sơ đang giải quyết sắp đến hạn.",
        root_cause_method="five_whys",
        whys=[
            "Công dân không nhận được văn bản xin lỗi khi hồ sơ trễ hạn.",
            "Chuyên viên tiếp nhận không biết hồ sơ đã trễ hạn ở cơ quan giải quyết.",
            "Phiếu theo dõi quá trình xử lý hồ sơ không được cập nhật khi chuyển hồ sơ.",
            "Phần mềm một cửa không cảnh báo hồ sơ sắp đến hạn và quá hạn.",
            "Quy trình tiếp nhận và trả kết quả chưa giao người theo dõi hạn giải quyết.",
        ],
    )
    planned(
        late,
        director,
        people["nhanvien"],
        "Cấu hình cảnh báo hạn giải quyết trên phần mềm một cửa (trước 2 ngày).",
        35,
        20,
    )
    planned(
        late,
        director,
        people["nhanvien2"],
        "Sửa quy trình tiếp nhận và trả kết quả: giao người theo dõi hạn, mẫu văn bản xin lỗi.",
        35,
        45,
    )

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
    service.verify(
        session=session,
        nc=eoffice,
        by=quality,
        result="effective",
        comment="Kiểm tra sổ văn bản đến tháng 6, 7: không còn văn bản cập nhật chậm.",
        today=today - timedelta(20),
    )
    service.close(session=session, nc=eoffice, by=head_hctc, password=PASSWORD, settings=settings)

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
    service.cancel(session=session, nc=twice, by=quality, reason=f"Trùng với {late.code}.")
