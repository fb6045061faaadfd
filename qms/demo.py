"""Demo data: the office of a provincial People's Committee, its units and one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from importlib import import_module
from importlib.util import find_spec

from sqlmodel import Session, select

from qms.auth import passwords
from qms.auth import service as auth
from qms.auth.models import Department, Role
from qms.config import Settings
from qms.db import clock_at
from qms.registry import DOMAINS

PASSWORD = "demo-2026"

DEPARTMENTS = [
    ("VP", "Văn phòng (Lãnh đạo Văn phòng)"),
    ("HCTC", "Phòng Hành chính – Tổ chức"),
    ("TH", "Phòng Tổng hợp"),
    ("KSTT", "Phòng Kiểm soát thủ tục hành chính"),
    ("QTTV", "Phòng Quản trị – Tài vụ"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công"),
]

# email, full name, position title, department, roles
PEOPLE = [
    (
        "admin@ubnd.demo.vn",
        "Đỗ Quang Vinh",
        "Chuyên viên Công nghệ thông tin",
        "HCTC",
        [Role.admin],
    ),
    ("chanhvp@ubnd.demo.vn", "Nguyễn Văn Thành", "Chánh Văn phòng", "VP", [Role.manager]),
    (
        "chatluong@ubnd.demo.vn",
        "Nguyễn Thị Lan",
        "Phó Chánh Văn phòng, Thư ký ISO",
        "VP",
        [Role.quality_officer],
    ),
    ("danhgia@ubnd.demo.vn", "Trần Văn Hùng", "Chuyên viên Phòng Tổng hợp", "TH", [Role.auditor]),
    (
        "danhgia2@ubnd.demo.vn",
        "Vũ Thị Mai",
        "Chuyên viên Phòng Kiểm soát TTHC",
        "KSTT",
        [Role.auditor],
    ),
    (
        "giamdoc@ubnd.demo.vn",
        "Lê Minh Tuấn",
        "Giám đốc Trung tâm Phục vụ hành chính công",
        "TTPVHCC",
        [Role.manager],
    ),
    (
        "truongphong@ubnd.demo.vn",
        "Hoàng Thị Thu",
        "Trưởng phòng Hành chính – Tổ chức",
        "HCTC",
        [Role.manager],
    ),
    (
        "nhanvien@ubnd.demo.vn",
        "Phạm Thu Hà",
        "Chuyên viên tiếp nhận hồ sơ",
        "TTPVHCC",
        [Role.staff],
    ),
    ("nhanvien2@ubnd.demo.vn", "Bùi Đức Anh", "Chuyên viên trả kết quả", "TTPVHCC", [Role.staff]),
]

LOGINS = [(email, name, [r.value for r in roles]) for email, name, _t, _d, roles in PEOPLE]


def moment(settings: Settings, day: date, hour: int = 9, minute: int = 0) -> datetime:
    """An office hour of `day` in the office's time zone, for `qms.db.clock_at`."""
    return datetime.combine(day, time(hour, minute), tzinfo=settings.tz)


def load(*, session: Session, settings: Settings) -> list | None:
    """Load the demo organisation into an empty database; None when it is already there."""
    if session.exec(select(Department).where(Department.code == "VP")).first() is not None:
        return None
    # The office and its people were set up before the oldest demo record (a year ago).
    set_up = datetime.now(settings.tz).date() - timedelta(days=400)
    with _quick_password_checks(settings):
        with clock_at(moment(settings, set_up, 8, 0)):
            departments, people = _organisation(session)
        # Each domain adds its own demo records (documents, audits, nonconformities …).
        for name in DOMAINS:
            if find_spec(f"{name}.demo") is not None:
                import_module(f"{name}.demo").load(
                    session=session, settings=settings, departments=departments, people=people
                )
    # Everyone has the same password: one hash of it, with the configured profile.
    password_hash = passwords.hash_password(PASSWORD)
    for person in people.values():
        person.password_hash = password_hash
        session.add(person)
    session.flush()
    return LOGINS


@contextmanager
def _quick_password_checks(settings: Settings) -> Iterator[None]:
    """While the demo loads, its people's passwords are hashed with the fast profile: their
    ~30 signatures (each checks the signer's password against their hash) then cost about a
    millisecond each instead of ~0.25 s of CPU with the recommended argon2id. `load` gives
    each their real hash before it returns, in the same transaction."""
    passwords.configure("fast")
    try:
        yield
    finally:
        passwords.configure(settings.password_hashing)


def _organisation(session: Session) -> tuple[dict, dict]:
    departments = {
        code: auth.create_department(session=session, by=None, code=code, name=name)
        for code, name in DEPARTMENTS
    }
    people = {}
    for email, name, title, dept, roles in PEOPLE:
        people[email.split("@")[0]] = auth.create_user(
            session=session,
            by=None,
            email=email,
            full_name=name,
            password=PASSWORD,
            roles=roles,
            department_id=departments[dept].id,
            position_title=title,
        )
    return departments, people
