"""Demo data: the office's management review of the year, compiled from the demo records,
held and signed by the Chief of Office, with its outputs, and the next review planned."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from qms.reviews import service

RESOURCES = (
    "Bộ phận một cửa có 04 công chức tiếp nhận; năm 2020 tiếp nhận 7.182 hồ sơ (đến 18/8), "
    "bình quân khoảng 40 hồ sơ/công chức/tuần. Cần bổ sung 01 máy quét hồ sơ và 01 công chức "
    "vào các tháng cao điểm."
)
MINUTES = (
    "Chánh Văn phòng chủ trì. Hội nghị xem xét đầu vào do Thư ký ISO tổng hợp từ hệ thống.\n"
    "1. HTQLCL theo TCVN ISO 9001:2015 được duy trì và áp dụng phù hợp; 6.827/7.182 hồ sơ được "
    "giải quyết và trả kết quả, 355 hồ sơ đang giải quyết.\n"
    "2. Các điểm không phù hợp phát hiện qua đánh giá nội bộ và phản ánh của công dân đã có "
    "hành động khắc phục; tiếp tục theo dõi hiệu lực.\n"
    "3. Tăng cường phối hợp giữa các sở, ngành và UBND cấp huyện; nắm bắt thông tin từ cơ sở.\n"
    "Kết luận: giao các đơn vị thực hiện các đầu ra dưới đây."
)


def load(*, session: Session, settings, departments, people) -> None:
    from qms.demo import PASSWORD

    today = datetime.now(settings.tz).date()
    chair = people["chanhvp"]
    chair.top_management = True
    session.add(chair)
    session.flush()
    officer = people["chatluong"]
    attendees = [officer.id, people["giamdoc"].id, people["truongphong"].id, people["danhgia"].id]
    review = service.create_review(
        session=session,
        by=officer,
        period_start=date(today.year, 1, 1),
        period_end=today,
        planned_on=today,
        chair_id=chair.id,
        attendee_ids=attendees,
        resources=RESOURCES,
    )
    service.hold(
        session=session,
        by=chair,
        review=review,
        minutes=MINUTES,
        version=review.version,
        today=today,
    )
    service.add_output(
        session=session,
        by=officer,
        review=review,
        kind="improvement",
        description="Nhắn tin cho công dân khi có kết quả gửi qua dịch vụ bưu chính công ích.",
        owner_id=people["giamdoc"].id,
        due_on=today + timedelta(days=60),
    )
    service.add_output(
        session=session,
        by=officer,
        review=review,
        kind="resource_need",
        description="Bổ sung 01 máy quét hồ sơ cho Trung tâm Phục vụ hành chính công.",
        owner_id=people["truongphong"].id,
        due_on=today + timedelta(days=30),
    )
    service.add_output(
        session=session,
        by=chair,
        review=review,
        kind="qms_change",
        description="Sửa đổi quy trình tiếp nhận và trả kết quả theo Nghị định 61/2018/NĐ-CP.",
        owner_id=officer.id,
        due_on=today + timedelta(days=90),
    )
    service.close(
        session=session,
        by=chair,
        review=review,
        password=PASSWORD,
        version=review.version,
        settings=settings,
    )
    service.create_review(
        session=session,
        by=officer,
        period_start=today + timedelta(days=1),
        period_end=date(today.year + 1, 6, 30),
        planned_on=date(today.year + 1, 7, 15),
        chair_id=chair.id,
        attendee_ids=attendees,
    )
