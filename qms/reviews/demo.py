"""Demo data: the office's management review of 2020, compiled from the demo records (the
objectives and indicators of 2020 among them), held in January 2021 and signed by the Chief
of Office, with its outputs followed up; and the next review planned, whose inputs are
compiled today from the records since (the previous review's outputs as its input a)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from qms.db import clock_at
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
    "3. Năm 2020 ghi nhận 03 sự không phù hợp (02 từ theo dõi mục tiêu chất lượng, 01 phản "
    "ánh của công dân về trả kết quả qua bưu điện): 02 đã đóng, 01 đang kiểm tra hiệu lực.\n"
    "4. Tăng cường phối hợp giữa các sở, ngành và UBND cấp huyện; nắm bắt thông tin từ cơ sở.\n"
    "Kết luận: giao các đơn vị thực hiện các đầu ra dưới đây."
)
HELD_ON = date(2021, 1, 15)


def _history_2020(*, session: Session, settings, departments, people):
    """What the office's registers hold for 2020, told at its dates through the owning
    services, so that the review of 2020 counts real records: the nonconformities raised
    from the missed months of the 2020 objectives (process monitoring) and a citizen's
    complaint about a result sent by post, each followed up as the office did. Returns the
    steps that come after the meeting of 15/01/2021, to be told once it is held."""
    from qms.demo import PASSWORD, moment
    from qms.nonconformities import service as ncs
    from qms.objectives import service as objectives

    centre = departments["TTPVHCC"]
    officer, director = people["chatluong"], people["giamdoc"]
    receiving, returning = people["nhanvien"], people["nhanvien2"]
    days = settings.effectiveness_check_days

    def at(day: date, hour: int = 9):
        return clock_at(moment(settings, day, hour))

    def from_missed_month(code: str, period: str, day: date, what: str):
        indicator = objectives.indicator_by_code(session=session, code=code)
        measurement = next(
            m
            for m in objectives.measurements_of(session=session, indicator=indicator)
            if m.period == period
        )
        with at(day):
            return objectives.raise_nonconformity(
                session=session, measurement=measurement, by=officer, today=day, description=what
            )

    def followed_up(nc, *, investigated, containment, cause, action, owner, done, evidence):
        with at(investigated, 14):
            ncs.investigate(
                session=session,
                nc=nc,
                by=director,
                containment=containment,
                root_cause_method="other",
                root_cause=cause,
            )
        with at(investigated, 15):
            planned = ncs.plan_action(
                session=session,
                nc=nc,
                by=director,
                description=action,
                owner_id=owner.id,
                due_on=investigated + timedelta(days=21),
                today=investigated,
            )
        with at(done, 16):
            ncs.complete_action(
                session=session,
                action=planned,
                by=owner,
                evidence=evidence,
                today=done,
                check_days=days,
            )

    def verified_and_closed(nc, day: date, comment: str):
        with at(day, 10):
            ncs.verify(
                session=session, nc=nc, by=officer, result="effective", comment=comment, today=day
            )
        with at(day, 11):
            ncs.close(session=session, nc=nc, by=director, password=PASSWORD, settings=settings)

    # February 2020: results returned by post 88 % of those due (MT-2020-02.1).
    post = from_missed_month(
        "MT-2020-02.1",
        "2020-02",
        date(2020, 3, 9),
        "Tháng 2/2020 một số kết quả đăng ký trả qua bưu điện chưa được chuyển phát.",
    )
    followed_up(
        post,
        investigated=date(2020, 3, 12),
        containment="Chuyển phát ngay các kết quả còn tồn.",
        cause="Bưu điện chỉ đến nhận kết quả hai lần mỗi tuần.",
        action="Thỏa thuận với bưu điện tỉnh nhận kết quả hằng ngày lúc 16 giờ.",
        owner=returning,
        done=date(2020, 12, 10),
        evidence="Biên bản thỏa thuận với Bưu điện tỉnh ngày 10/12/2020.",
    )

    # April 2020: dossiers resolved on time 93.9 % against 98 % (MT-2020-01.1).
    late = from_missed_month(
        "MT-2020-01.1",
        "2020-04",
        date(2020, 5, 11),
        "Tháng 4/2020 nhiều hồ sơ đất đai trả kết quả trễ hạn do giãn cách xã hội.",
    )
    followed_up(
        late,
        investigated=date(2020, 5, 14),
        containment="Gọi điện xin lỗi công dân, hẹn lại ngày trả kết quả.",
        cause="Không có phương án tiếp nhận, xử lý hồ sơ trực tuyến khi giãn cách.",
        action="Tiếp nhận hồ sơ đất đai qua dịch vụ công trực tuyến mức độ 3 trong thời gian "
        "giãn cách.",
        owner=receiving,
        done=date(2020, 6, 5),
        evidence="Thông báo số 12/TB-TTPVHCC ngày 05/6/2020 về tiếp nhận trực tuyến.",
    )
    verified_and_closed(
        late,
        date(2020, 7, 20),
        "Tháng 6, 7/2020 tỷ lệ đúng hạn trên 98 %: biện pháp có hiệu lực.",
    )

    # September 2020: a citizen's complaint about a result sent by post.
    with at(date(2020, 9, 8)):
        complaint = ncs.raise_nonconformity(
            session=session,
            by=officer,
            source="customer_complaint",
            department_id=centre.id,
            clause="8.2.1",
            severity="minor",
            description="Công dân phản ánh nhận kết quả qua bưu điện chậm 5 ngày so với phiếu "
            "hẹn và không được báo trước.",
            today=date(2020, 9, 8),
        )
    followed_up(
        complaint,
        investigated=date(2020, 9, 10),
        containment="Xin lỗi công dân bằng văn bản.",
        cause="Phiếu hẹn không tính thời gian chuyển phát của bưu điện.",
        action="Ghi thêm thời gian chuyển phát vào phiếu hẹn khi công dân chọn trả qua bưu điện.",
        owner=receiving,
        done=date(2020, 9, 25),
        evidence="Mẫu phiếu hẹn mới áp dụng từ 25/9/2020.",
    )
    verified_and_closed(
        complaint,
        date(2020, 11, 2),
        "Tháng 10/2020 không còn phản ánh về thời gian trả kết quả qua bưu điện.",
    )

    # After the meeting: the check of the post agreement, found effective in February 2021.
    def after_the_meeting():
        verified_and_closed(
            post,
            date(2021, 2, 1),
            "Tháng 12/2020 và 01/2021 mọi kết quả đăng ký trả qua bưu điện được chuyển phát "
            "trong ngày.",
        )

    return after_the_meeting


def load(*, session: Session, settings, departments, people) -> None:
    from qms.demo import PASSWORD, moment

    today = datetime.now(settings.tz).date()
    chair = people["chanhvp"]
    chair.top_management = True
    session.add(chair)
    session.flush()
    after_the_meeting = _history_2020(
        session=session, settings=settings, departments=departments, people=people
    )
    officer = people["chatluong"]
    attendees = [officer.id, people["giamdoc"].id, people["truongphong"].id, people["danhgia"].id]
    with clock_at(moment(settings, date(2020, 12, 15))):
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
    # Held on the day of the meeting: the inputs are those the records gave that day (the
    # figures "as of today" read the meeting's day).
    with clock_at(moment(settings, HELD_ON)):
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
        with clock_at(moment(settings, HELD_ON, 10)):
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
    after_the_meeting()
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
