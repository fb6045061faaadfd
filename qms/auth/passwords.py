"""Password hashing with argon2id (pwdlib), and a bound on concurrent verifications."""

from __future__ import annotations

import threading

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_PROFILES = {
    "recommended": lambda: PasswordHash.recommended(),
    "fast": lambda: PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)),
}
_hasher: PasswordHash = _PROFILES["recommended"]()
# Each verify takes ~64 MiB and ~0.1 s: a burst of sign-ins must not exhaust the machine.
_verify_slots = threading.BoundedSemaphore(4)
# A hash to verify against when the account does not exist, so timing tells nothing.
_dummy_hash: str | None = None


def configure(profile: str) -> None:
    global _hasher, _dummy_hash
    _hasher = _PROFILES[profile]()
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    global _dummy_hash
    with _verify_slots:
        if password_hash is None:
            _dummy_hash = _dummy_hash or _hasher.hash("not a password")
            _hasher.verify(password, _dummy_hash)
            return False
        try:
            return _hasher.verify(password, password_hash)
        except Exception:  # a malformed stored hash never signs anyone in
            return False
