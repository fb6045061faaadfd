"""Demo data: the office's management review of 2020, compiled from the demo records (the
objectives and indicators of 2020 among them), held in January 2021 and signed by the Chief
of Office, with its outputs followed up; and the next review planned, whose inputs are
compiled today from the records since (the previous review's outputs as its input a)."""

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
    "1. HTQLCL theo TCVN ISO 9001:2015 được duy trì và áp dụng phù hợp; đến 18/8/2020 có "
    "6.827/7.182 hồ sơ được giải quyết và trả kết quả, 355 hồ sơ đang giải quyết.\n"
    "2. Kết quả trả qua dịch vụ bưu chính công ích: 827 kết quả, 403 hồ sơ tiếp nhận; cần "
    "thông tin kịp thời hơn cho công dân.\n"
    "3. Tăng cường phối hợp giữa các sở, ngành và UBND cấp huyện; nắm bắt thông tin từ cơ sở.\n"
    "Kết luận: giao các đơn vị thực hiện các đầu ra dưới đây."
)
HELD_ON = date(2021, 1, 15)


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
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
        planned_on=HELD_ON,
        chair_id=chair.id,
        attendee_ids=attendees,
        resources=RESOURCES,
    )
    # Held on the day of the meeting: the inputs are those the records gave that day.
    service.hold(
        session=session, by=chair, review=review, minutes=MINUTES, version=review.version,
        today=HELD_ON,
    )  # fmt: skip
    decided = [
        (
            officer,
            "improvement",
            "Nhắn tin cho công dân khi có kết quả gửi qua dịch vụ bưu chính công ích.",
            people["giamdoc"],
            date(2021, 3, 31),
            date(2021, 3, 25),
            "Đã triển khai nhắn tin qua tổng đài của Trung tâm từ 25/3/2021.",
        ),
        (
            officer,
            "resource_need",
            "Bổ sung 01 máy quét hồ sơ cho Trung tâm Phục vụ hành chính công.",
            people["truongphong"],
            date(2021, 2, 28),
            date(2021, 2, 20),
            "Đã bàn giao máy quét theo biên bản ngày 20/02/2021.",
        ),
        (
            chair,
            "qms_change",
            "Sửa đổi quy trình tiếp nhận và trả kết quả theo Nghị định 61/2018/NĐ-CP.",
            officer,
            date(2021, 6, 30),
            None,
            "",
        ),
    ]
    outputs = []
    for by, kind, what, owner, due_on, done_on, evidence in decided:
        output = service.add_output(
            session=session,
            by=by,
            review=review,
            kind=kind,
            description=what,
            owner_id=owner.id,
            due_on=due_on,
        )
        outputs.append((output, owner, done_on, evidence))
    service.close(
        session=session,
        by=chair,
        review=review,
        password=PASSWORD,
        version=review.version,
        settings=settings,
    )
    for output, owner, done_on, evidence in outputs:
        if done_on is not None:
            service.complete_output(
                session=session, by=owner, output=output, evidence=evidence, today=done_on
            )
    # The next one: its inputs are compiled from today's records until it is held.
    service.create_review(
        session=session,
        by=officer,
        period_start=date(2021, 1, 1),
        period_end=today,
        planned_on=today + timedelta(days=14),
        chair_id=chair.id,
        attendee_ids=attendees,
        resources="Đề nghị bổ sung 01 công chức tiếp nhận hồ sơ đất đai.",
    )
