"""Demo register of the provincial office: its risks and one opportunity, in each state."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from qms.config import Settings
from qms.risks import service


def load(*, session: Session, settings: Settings, departments: dict, people: dict) -> None:
    today = datetime.now(settings.tz).date()
    centre, hctc, vp = departments["TTPVHCC"], departments["HCTC"], departments["VP"]
    quality, director = people["chatluong"], people["giamdoc"]
    head_vp, head_hctc = people["chanhvp"], people["truongphong"]
    it, reception = people["admin"], people["nhanvien"]

    def day(ago: int):
        return today - timedelta(days=ago)

    outside = service.add_context_issue(
        session=session,
        by=quality,
        kind="external",
        title="Cải cách hành chính và dịch vụ công trực tuyến của tỉnh",
        description="Sở Nội vụ kiểm tra công tác cải cách hành chính của Văn phòng hằng năm; "
        "mọi thủ tục hành chính đã công khai trên Cổng thông tin điện tử của tỉnh.",
        today=day(60),
    )
    inside = service.add_context_issue(
        session=session,
        by=quality,
        kind="internal",
        title="Khối lượng hồ sơ lớn tại bộ phận một cửa",
        description="Từ 01/01 đến 18/8/2020: tiếp nhận 7.182 hồ sơ, đã giải quyết 6.827, "
        "đang giải quyết 355; tiếp nhận thêm 2.668 hồ sơ cho Công an tỉnh.",
        today=day(60),
    )
    citizens = service.add_interested_party(
        session=session,
        by=quality,
        name="Người dân, tổ chức, doanh nghiệp",
        requirements="Hồ sơ được giải quyết và trả kết quả đúng hạn, kể cả qua bưu điện.",
        today=day(60),
    )
    home_affairs = service.add_interested_party(
        session=session,
        by=quality,
        name="Sở Nội vụ",
        requirements="Kết quả kiểm tra cải cách hành chính hằng năm.",
        today=day(60),
    )

    late = service.raise_risk(
        session=session,
        by=director,
        kind="risk",
        title="Hồ sơ thủ tục hành chính trễ hạn tại Trung tâm Phục vụ hành chính công",
        department_id=centre.id,
        owner_id=director.id,
        process="Tiếp nhận và trả kết quả hồ sơ",
        cause="Lượng hồ sơ tăng vào cuối quý; phần mềm một cửa không cảnh báo hồ sơ sắp đến hạn.",
        consequence="Người dân nhận kết quả muộn, phải gửi thư xin lỗi; điểm cải cách hành "
        "chính bị trừ.",
        likelihood=4,
        impact=4,
        clauses=["6.1", "8.5.1"],
        issue_ids=[inside.id],
        party_ids=[citizens.id, home_affairs.id],
        today=day(50),
    )
    service.decide_treatment(
        session=session, risk=late, by=director, treatment="mitigate", version=late.version
    )
    alert = service.plan_action(
        session=session,
        risk=late,
        by=director,
        description="Cấu hình cảnh báo hồ sơ đến hạn trước 3 ngày làm việc trên phần mềm một cửa.",
        owner_id=reception.id,
        due_on=day(30),
        today=day(48),
    )
    service.complete_action(
        session=session,
        action=alert,
        by=reception,
        evidence="Cảnh báo đã bật từ ngày 20; danh sách hồ sơ sắp đến hạn gửi mỗi sáng.",
        today=day(35),
    )
    service.reassess(
        session=session,
        risk=late,
        by=director,
        likelihood=2,
        impact=4,
        comment="Một tháng sau khi bật cảnh báo không còn hồ sơ trễ hạn do không theo dõi.",
        today=day(5),
        version=late.version,
    )

    outage = service.raise_risk(
        session=session,
        by=head_hctc,
        kind="risk",
        title="Hệ thống quản lý văn bản và điều hành (E-Office) ngừng hoạt động",
        department_id=hctc.id,
        owner_id=head_hctc.id,
        process="Quản lý văn bản đi, đến",
        cause="Một máy chủ duy nhất, không có bản sao dự phòng ở nơi khác.",
        consequence="100 % văn bản giữa Văn phòng, các sở và UBND cấp huyện đi qua E-Office: "
        "văn bản ký số không gửi được.",
        likelihood=2,
        impact=5,
        clauses=["6.1", "7.1.3", "7.5.3"],
        issue_ids=[outside.id],
        today=day(40),
    )
    service.decide_treatment(
        session=session, risk=outage, by=head_hctc, treatment="mitigate", version=outage.version
    )
    service.plan_action(
        session=session,
        risk=outage,
        by=head_hctc,
        description="Sao lưu cơ sở dữ liệu E-Office hằng đêm sang máy chủ dự phòng và diễn tập "
        "khôi phục.",
        owner_id=it.id,
        due_on=today + timedelta(days=20),
        today=day(38),
    )

    service.raise_risk(
        session=session,
        by=director,
        kind="risk",
        title="Cán bộ tiếp nhận hồ sơ tại bộ phận một cửa nghỉ việc, luân chuyển",
        department_id=centre.id,
        owner_id=director.id,
        process="Tiếp nhận và trả kết quả hồ sơ",
        cause="Áp lực công việc cao; cán bộ mới cần nhiều tuần để nắm các thủ tục.",
        consequence="Quầy thiếu người vào giờ cao điểm, hướng dẫn sai thành phần hồ sơ.",
        likelihood=3,
        impact=3,
        clauses=["6.1", "7.1.2", "7.2"],
        issue_ids=[inside.id],
        today=day(12),
    )

    certificate = service.raise_risk(
        session=session,
        by=head_vp,
        kind="risk",
        title="Chứng thư số của lãnh đạo Văn phòng sắp hết hạn",
        department_id=vp.id,
        owner_id=head_vp.id,
        process="Ký số văn bản trên E-Office",
        cause="Không ai được giao theo dõi thời hạn chứng thư số.",
        consequence="Văn bản không ký số được, phải ký tay và gửi bản giấy.",
        likelihood=3,
        impact=5,
        clauses=["6.1", "7.5.3"],
        today=day(20),
    )
    service.decide_treatment(
        session=session,
        risk=certificate,
        by=head_vp,
        treatment="mitigate",
        version=certificate.version,
    )
    service.plan_action(
        session=session,
        risk=certificate,
        by=head_vp,
        description="Đề nghị gia hạn chứng thư số và lập danh sách theo dõi hạn của mọi chứng thư.",
        owner_id=quality.id,
        due_on=today + timedelta(days=6),
        today=day(20),
    )

    portal = service.raise_risk(
        session=session,
        by=director,
        kind="opportunity",
        title="Tiếp nhận hồ sơ trực tuyến qua Cổng dịch vụ công",
        department_id=centre.id,
        owner_id=director.id,
        process="Tiếp nhận và trả kết quả hồ sơ",
        cause="Mọi thủ tục đã công khai trên cổng của tỉnh; người dân đã quen gửi qua bưu điện "
        "(403 hồ sơ, 827 kết quả).",
        consequence="Giảm người chờ tại quầy, rút ngắn thời gian giải quyết.",
        likelihood=4,
        impact=4,
        clauses=["6.1", "8.2.1"],
        issue_ids=[outside.id],
        party_ids=[citizens.id],
        today=day(15),
    )
    service.decide_treatment(
        session=session, risk=portal, by=director, treatment="pursue", version=portal.version
    )
    service.plan_action(
        session=session,
        risk=portal,
        by=director,
        description="Đưa 20 thủ tục có nhiều hồ sơ nhất lên dịch vụ công trực tuyến mức độ 4.",
        owner_id=director.id,
        due_on=today + timedelta(days=45),
        today=day(15),
    )

    _link_a_late_dossier(session, late, director, centre.id)


def _link_a_late_dossier(session, risk, by, department_id) -> None:
    """The demo's first nonconformity of the one-stop centre realised the late-dossier risk."""
    from qms.nonconformities import service as nonconformities

    rows, _total = nonconformities.list_nonconformities(
        session=session,
        filters=nonconformities.Filters(department_id=department_id),
        today=risk.raised_on,
        limit=1,
    )
    if rows:
        service.add_link(
            session=session,
            risk=risk,
            by=by,
            target="nonconformity",
            target_id=rows[0].id,
            relation="realised",
        )
