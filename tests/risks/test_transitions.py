"""Every move of a register entry, allowed and refused: the table itself, and each verb of
the API in each state with its status code and the state afterwards."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from qms.errors import InvalidTransition
from qms.risks.states import ALLOWED, Status, transition
from tests.risks.builders import STATES, build, load, today

PAIRS = [(a, b) for a in Status for b in Status if a != b]


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=lambda s: s.value)
def test_the_table_allows_exactly_its_moves(current, target):
    entry = SimpleNamespace(status=current.value, version=3, updated_at=None)
    if target in ALLOWED[current]:
        assert transition(entry, target) == current
        assert entry.status == target.value and entry.version == 4
    else:
        with pytest.raises(InvalidTransition) as refused:
            transition(entry, target)
        assert refused.value.status == 409 and refused.value.field == "status"
        assert entry.status == current.value and entry.version == 3


def test_the_life_is_open_treating_monitored_closed():
    assert {
        Status.open: {Status.treating, Status.monitored},
        Status.treating: {Status.monitored},
        Status.monitored: {Status.treating, Status.closed},
        Status.closed: set(),
    } == ALLOWED


# verb → {state it is called in: (status code, status afterwards)}; a state not listed
# answers 409 and leaves the entry as it was.
EXPECTED = {
    "treat_mitigate": {
        "open": (200, "treating"),
        "treating": (200, "treating"),
        "monitored": (200, "monitored"),
    },
    # The built entries score 3 × 4 = 12 (high): accepted by the department's manager with
    # a justification; refused while an action is still to do.
    "treat_accept": {"open": (200, "monitored"), "monitored": (200, "monitored")},
    "plan": {"treating": (201, "treating"), "monitored": (201, "treating")},
    "complete": {"treating": (200, "monitored")},
    "assess": {
        "open": (200, "open"),
        "treating": (200, "treating"),
        "monitored": (200, "monitored"),
    },
    "close": {"monitored": (200, "closed")},
}


def call(world, verb, built):
    api = world.api(world.manager)
    risk = f"/api/v1/risks/{built.id}"
    version = api.get(risk).json()["version"]
    if verb.startswith("treat_"):
        return api.post(
            f"{risk}/treatment",
            json={
                "treatment": verb.removeprefix("treat_"),
                "justification": "Chi phí xử lý lớn hơn thiệt hại có thể xảy ra.",
                "version": version,
            },
        )
    if verb == "plan":
        due = (today(world) + timedelta(days=7)).isoformat()
        return api.post(
            f"{risk}/actions",
            json={"description": "Tập huấn cán bộ mới.", "owner_id": world.staff.id, "due_on": due},
        )
    if verb == "complete":
        return world.api(world.staff).post(
            f"/api/v1/risk-actions/{built.action_ids[0]}/complete", json={"evidence": "Đã làm."}
        )
    if verb == "assess":
        return api.post(
            f"{risk}/assess",
            json={"likelihood": 2, "impact": 2, "comment": "Đánh giá lại.", "version": version},
        )
    if verb == "close":
        return api.post(f"{risk}/close", json={"reason": "Không còn.", "version": version})
    raise AssertionError(verb)


CASES = [
    (verb, state)
    for verb in EXPECTED
    for state in STATES
    # An open entry has no action to complete.
    if not (verb == "complete" and state == "open")
]


@pytest.mark.parametrize(("verb", "state"), CASES)
def test_each_verb_in_each_state(world, verb, state):
    built = build(world, state)
    before = load(world, built)
    response = call(world, verb, built)
    expected = EXPECTED[verb].get(state)
    after = load(world, built)
    if expected is None:
        assert response.status_code == 409, response.text
        assert after.status == before.status and after.version == before.version
    else:
        code, status = expected
        assert response.status_code == code, response.text
        assert after.status == status
