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
