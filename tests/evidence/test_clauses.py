"""Each clause of the requirement table shows the records made for the test, from the domain
that holds them, and a gap where the standard asks for something the system does not hold."""

from __future__ import annotations

from datetime import date, timedelta

from qms.evidence.requirements import REQUIREMENTS
from tests.audits import support as audits
from tests.documents import factories as documents
from tests.evidence.builders import clauses, codes, gap_texts, this_year, today
from tests.nonconformities.builders import build as build_nc
from tests.objectives.builders import build as build_objective
from tests.reviews import builders as reviews
from tests.reviews.records import cancel_nc, raise_nc
from tests.risks.builders import build as build_risk


def test_an_empty_system_shows_every_clause_of_the_table_and_a_gap_for_each_required_one(world):
    found = clauses(world)
    assert list(found) == [r.clause for r in REQUIREMENTS]
    for requirement in REQUIREMENTS:
        entry = found[requirement.clause]
        assert entry["count"] == 0
        assert bool(entry["gaps"]) == requirement.required, requirement.clause
    assert gap_texts(found["4.3"]) == ["No document of this kind is in force."]
    assert gap_texts(found["5.2"]) == ["No document of this kind is in force."]
    assert any("clause 7.1.5" in text for text in gap_texts(found["7.1.5"]))
    assert found["6.1"]["kind"] == "kept" and not found["6.1"]["gaps"]


def test_scope_and_quality_policy_documents_fill_4_3_and_5_2_with_their_kept_copies(world):
    documents.effective_document(world, code="PV-01", kind="scope", clauses=["4.3"])
    documents.effective_document(world, code="CS-01", kind="quality_policy", clauses=["5.2"])
    found = clauses(world)
    assert codes(found["4.3"]) == {"PV-01"} and not found["4.3"]["gaps"]
    assert codes(found["5.2"]) == {"CS-01"} and not found["5.2"]["gaps"]
    assert all(item["kept"] for item in found["4.3"]["items"] + found["5.2"]["items"])
    assert "/documents?kind=scope" in found["4.3"]["registers"]


def test_a_generic_policy_is_not_the_quality_policy(world):
    documents.effective_document(world, code="QC-01", kind="policy", clauses=["7.1"])
    assert gap_texts(clauses(world)["5.2"]) == ["No document of this kind is in force."]


def test_a_document_addressing_a_sub_clause_is_evidence_of_the_clause(world):
    documents.effective_document(world, code="HD-01", kind="work_instruction", clauses=["7.1.5.1"])
    documents.effective_document(world, code="QT-07", clauses=["8.7.1"])
    found = clauses(world)
    assert codes(found["7.1.5"]) == {"HD-01"} and not found["7.1.5"]["gaps"]
    assert "QT-07" in codes(found["8.7"])
    assert {"HD-01", "QT-07"} <= codes(found["4.4"])
    assert "/documents?clause=7.1.5" in found["7.1.5"]["registers"]


def test_a_document_not_in_force_is_not_evidence(world):
    document_id = documents.new_document(world, code="QT-20", clauses=["7.2"])
    documents.new_revision(world, document_id)
    assert not clauses(world)["7.2"]["items"]


def test_a_procedure_past_its_review_date_is_a_gap_of_4_4(world):
    from qms.db import unit_of_work
    from qms.documents.models import ControlledDocument

    document_id, _revision = documents.effective_document(world, code="QT-30")
    with unit_of_work(world.engine) as session:
        document = session.get(ControlledDocument, document_id)
        document.next_review_on = today(world) - timedelta(days=3)
        session.add(document)
    texts = gap_texts(clauses(world)["4.4"])
    assert len(texts) == 1 and texts[0].startswith("QT-30 ") and "past its review date" in texts[0]


def test_audits_reported_in_the_period_and_the_programme_fill_9_2(world):
    built = audits.build(world, "reported")
    found = clauses(world)["9.2"]
    assert built.code in codes(found)
    assert str(today(world).year) in codes(found)  # the programme of the year
    reported = next(i for i in found["items"] if i["code"] == built.code)
    assert reported["kept"] and reported["url"] == f"/audits/{built.id}"
    assert not found["gaps"]


def test_no_programme_and_no_reported_audit_are_gaps_of_9_2(world):
    texts = gap_texts(clauses(world)["9.2"])
    year = today(world).year
    assert f"There is no audit programme for {year}." in texts
    assert any(t.startswith("No internal audit was reported") for t in texts)


def test_a_department_of_the_programme_whose_audit_is_due_but_not_reported_is_a_gap(world):
    audits.build(world, "reported")  # department A
    start = today(world) - timedelta(days=20)
    audits.plan(world, department=world.dept_b, lead=world.auditor_a, start=start)
    texts = gap_texts(clauses(world)["9.2"])
    assert texts == [
        f"Phòng B is in the audit programme of {start.year}, but no internal audit of it was "
        "reported in the period."
    ]


def test_an_audit_planned_after_the_period_is_not_missing_yet(world):
    audits.build(world, "reported")
    audits.plan(world, department=world.dept_b, lead=world.auditor_a)  # in a week
    end = today(world)
    assert not clauses(world, end=end)["9.2"]["gaps"]


def test_a_closed_management_review_fills_9_3_with_its_signed_minutes(world):
    built = reviews.build(world, "closed")
    found = clauses(world)["9.3"]
    assert codes(found) == {built.code} and found["items"][0]["kept"] and not found["gaps"]


def test_no_management_review_held_in_the_period_is_a_gap_of_9_3(world):
    reviews.build(world, "planned")  # planned, not held
    start, end = this_year(world)
    assert gap_texts(clauses(world)["9.3"]) == [
        f"No management review was held from {start.isoformat()} to {end.isoformat()}."
    ]


def test_nonconformities_of_the_period_fill_10_2_8_4_and_8_7_by_their_source(world):
    inside = today(world)
    closed = build_nc(world, "closed")
    _id, supplier = raise_nc(world, on=inside, source="supplier")
    _id, complaint = raise_nc(world, on=inside, source="customer_complaint")
    cancelled, _code = raise_nc(world, on=inside)
    cancel_nc(world, cancelled)
    found = clauses(world)
    assert codes(found["10.2"]) == {closed.code, supplier, complaint}
    assert codes(found["8.4"]) == {supplier} and not found["8.4"]["gaps"]
    assert complaint in codes(found["8.7"])
    kept = {i["code"]: i["kept"] for i in found["10.2"]["items"]}
    assert kept == {closed.code: True, supplier: False, complaint: False}


def test_a_nonconformity_raised_before_the_period_is_not_in_it(world):
    raise_nc(world, on=today(world) - timedelta(days=40))
    assert not clauses(world, start=today(world) - timedelta(days=10))["10.2"]["items"]


def test_objectives_and_their_measurements_fill_6_2_and_9_1(world):
    year = today(world).year
    built = build_objective(world, "active", figures=[(f"{year}-01", 95, 100)])
    found = clauses(world)
    assert codes(found["6.2"]) == {built.code} and not found["6.2"]["gaps"]
    assert codes(found["9.1"]) == {f"{built.indicator_code} {year}-01"}
    assert not found["9.1"]["gaps"]


def test_an_objective_without_measurements_in_the_period_is_a_gap_of_9_1(world):
    built = build_objective(world, "active")
    texts = gap_texts(clauses(world)["9.1"])
    assert texts == [
        f"{built.code} Giải quyết hồ sơ TTHC đúng hạn has no measurement in the period."
    ]


def test_no_objective_in_force_for_the_year_is_a_gap_of_6_2(world):
    build_objective(world, "draft")
    assert gap_texts(clauses(world)["6.2"]) == [
        f"No quality objective is in force for {today(world).year}."
    ]


def test_the_risk_register_fills_6_1_which_the_standard_does_not_require(world):
    built = build_risk(world)
    found = clauses(world)["6.1"]
    assert codes(found) == {built.code} and not found["gaps"]


def test_a_period_of_twelve_months_stands_for_the_year_it_ends_in(world):
    end = date(today(world).year, 12, 2)
    start = end.replace(year=end.year - 1) + timedelta(days=1)
    texts = gap_texts(clauses(world, start=start, end=end)["6.2"])
    assert texts == [f"No quality objective is in force for {end.year}."]
