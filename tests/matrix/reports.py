"""Role matrix of the kept-records routes: /verify is public, page and API alike."""

from __future__ import annotations

from tests.matrix import EVERYONE, Case

CASES = [
    Case("POST", "/api/v1/verify", EVERYONE, public=True),
    Case("GET", "/verify", EVERYONE, public=True),
    Case("POST", "/verify", EVERYONE, public=True),
]
