"""Role matrix of the quality objectives routes: every API and page route, who may use it."""

from __future__ import annotations

from qms.db import unit_of_work
from qms.objectives.models import Measurement, Objective
from tests.matrix import EVERYONE, Case
from tests.objectives.builders import build, indicator_body, objective_body, today

QUALITY = frozenset({"quality_officer"})
# The manager of department A manages the objective's owner (themselves) in these set-ups.
EDITORS = frozenset({"quality_officer", "manager"})
# The indicator's data owner is the staff member of department A.
ENTERERS = frozenset({"quality_officer", "staff"})
RAISERS = frozenset({"quality_officer", "staff", "manager"})


def _version(world, model, record_id) -> int:
    with unit_of_work(world.engine, write=False) as session:
        return session.get(model, record_id).version


def _new(world, role):
    body = objective_body(world)
    return {"json": body, "data": body}


def _objective(state, body=None):
    def setup(world, role):
        built = build(world, state)
        payload = dict(body(world) if callable(body) else body or {})
        if "version" in payload:
            payload["version"] = _version(world, Objective, built.id)
        return {"params": {"objective_id": built.id}, "json": payload, "data": payload}

    return setup


def _indicator(state="active", body=None, **build_args):
    def setup(world, role):
        built = build(world, state, **build_args)
        payload = dict(body(world) if callable(body) else body or {})
        return {"params": {"indicator_id": built.indicator_id}, "json": payload, "data": payload}

    return setup


def _measurement(body=None, figures=None):
    def setup(world, role):
        year = today(world).year
        built = build(world, "active", figures=figures or [(f"{year}-01", 70, 100)])
        payload = dict(body or {})
        if "version" in payload:
            payload["version"] = _version(world, Measurement, built.measurement_ids[0])
        return {
            "params": {"measurement_id": built.measurement_ids[0]},
            "json": payload,
            "data": payload,
        }

    return setup


def _report(world, role):
    return {"query": {"year": today(world).year}}


def _figures(world):
    return {"period": f"{today(world).year}-02", "numerator": 97, "denominator": 100}


CORRECTION = {"numerator": 90, "denominator": 100, "reason": "Nhập nhầm số liệu.", "version": 1}
EDIT = {"title": "Giải quyết 98 % hồ sơ đúng hạn", "version": 1}
EVALUATION = {"result": "achieved", "comment": "Đạt cả 12 tháng."}
CANCELLATION = {"reason": "Gộp vào mục tiêu khác."}

CASES = [
    # API
    Case("GET", "/api/v1/objectives", EVERYONE),
    Case("GET", "/api/v1/objectives.csv", EVERYONE),
    Case("GET", "/api/v1/objectives.xlsx", EVERYONE),
    Case("GET", "/api/v1/objectives.pdf", EVERYONE, _report),
    Case("POST", "/api/v1/objectives", QUALITY, _new),
    Case("GET", "/api/v1/objectives/{objective_id}", EVERYONE, _objective("draft")),
    Case("PATCH", "/api/v1/objectives/{objective_id}", EDITORS, _objective("draft", EDIT)),
    Case("POST", "/api/v1/objectives/{objective_id}/activate", QUALITY, _objective("draft")),
    Case(
        "POST",
        "/api/v1/objectives/{objective_id}/evaluate",
        QUALITY,
        _objective("active", EVALUATION),
    ),
    Case(
        "POST",
        "/api/v1/objectives/{objective_id}/cancel",
        QUALITY,
        _objective("active", CANCELLATION),
    ),
    Case(
        "POST",
        "/api/v1/objectives/{objective_id}/indicators",
        EDITORS,
        _objective("draft", lambda world: indicator_body(name="Tỷ lệ hồ sơ trả qua bưu điện")),
    ),
    Case("GET", "/api/v1/indicators/{indicator_id}", EVERYONE, _indicator()),
    Case("GET", "/api/v1/indicators/{indicator_id}/chart.svg", EVERYONE, _indicator()),
    Case(
        "POST",
        "/api/v1/indicators/{indicator_id}/measurements",
        ENTERERS,
        _indicator(body=_figures),
    ),
    Case("POST", "/api/v1/indicators/{indicator_id}/measurements/import", ENTERERS, _indicator()),
    Case("PATCH", "/api/v1/measurements/{measurement_id}", ENTERERS, _measurement(CORRECTION)),
    Case("POST", "/api/v1/measurements/{measurement_id}/nonconformity", RAISERS, _measurement()),
    # Pages
    Case("GET", "/objectives", EVERYONE),
    Case("GET", "/objectives/new", QUALITY),
    Case("POST", "/objectives", QUALITY, _new),
    Case("GET", "/objectives/{objective_id}", EVERYONE, _objective("draft")),
    Case(
        "POST",
        "/objectives/{objective_id}/edit",
        EDITORS,
        _objective("draft", lambda world: {**objective_body(world), "version": 1}),
    ),
    Case("POST", "/objectives/{objective_id}/activate", QUALITY, _objective("draft")),
    Case("POST", "/objectives/{objective_id}/evaluate", QUALITY, _objective("active", EVALUATION)),
    Case("POST", "/objectives/{objective_id}/cancel", QUALITY, _objective("draft", CANCELLATION)),
    Case(
        "POST",
        "/objectives/{objective_id}/indicators",
        EDITORS,
        _objective("draft", lambda world: indicator_body(name="Tỷ lệ hồ sơ trả qua bưu điện")),
    ),
    Case("GET", "/indicators", EVERYONE),
    Case("GET", "/indicators/{indicator_id}", EVERYONE, _indicator(figures=[])),
    Case("POST", "/indicators/{indicator_id}/measurements", ENTERERS, _indicator(body=_figures)),
    Case("POST", "/indicators/{indicator_id}/import", ENTERERS, _indicator()),
    Case("POST", "/measurements/{measurement_id}/correct", ENTERERS, _measurement(CORRECTION)),
    Case("POST", "/measurements/{measurement_id}/nonconformity", RAISERS, _measurement()),
]
