"""Passwords are kept as argon2id hashes at the recommended cost (OWASP: m ≥ 19 MiB)."""

from __future__ import annotations

import re

from qms.auth import passwords


def test_passwords_are_hashed_with_argon2id():
    passwords.configure("recommended")
    try:
        stored = passwords.hash_password("mật khẩu đủ dài")
    finally:
        passwords.configure("fast")  # what the tests' settings use
    found = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", stored)
    assert found, stored
    memory_kib, time_cost, _parallelism = map(int, found.groups())
    assert memory_kib >= 64 * 1024 and time_cost >= 3
    assert passwords.verify_password("mật khẩu đủ dài", stored)
    assert not passwords.verify_password("mật khẩu khác", stored)


def test_the_sign_in_wait_doubles_and_never_exceeds_its_cap():
    """Repeated failures slow sign-in down, but never lock the owner out for ever."""
    from datetime import timedelta

    from qms.auth.service import MAX_LOCKOUT, _lockout

    assert _lockout(4, 5) == timedelta(0)
    assert [_lockout(n, 5) for n in (5, 6, 7)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert _lockout(40, 5) == MAX_LOCKOUT == timedelta(minutes=15)
