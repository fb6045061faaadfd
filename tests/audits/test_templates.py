"""Checklist templates: every shipped file loads; a bad file is refused with its name, the
line and the field at fault."""

from __future__ import annotations

import textwrap

import pytest

from qms.audits import checklists
from qms.audits.checklists import TemplateError, load_template
from qms.errors import Invalid

SHIPPED = sorted(checklists.TEMPLATES_DIR.glob("*.yaml"))

GOOD = """\
title: {vi: "Danh mục thử", en: "Test checklist"}
description: {vi: "Mô tả", en: "Description"}
sections:
  - clause: "8.5.1"
    title: {vi: "Kiểm soát cung cấp dịch vụ", en: "Control of service provision"}
    items:
      - ref: "RCV-1"
        question: {vi: "Hồ sơ có được kiểm tra đủ thành phần không?", en: "Is the dossier checked?"}
        guidance: {vi: "Lấy mẫu 5 hồ sơ.", en: "Sample 5 dossiers."}
"""


def write(tmp_path, text: str, name: str = "bad.yaml"):
    folder = tmp_path / "audits"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refusal(path) -> str:
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    return str(caught.value)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_template_loads(path):
    template = load_template(path)
    assert template.key == path.stem
    for section in template.sections:
        assert section.title.vi and section.title.en
        for item in section.items:
            assert item.question.vi and item.question.en
            assert item.guidance.vi and item.guidance.en


def test_the_iso_template_runs_clause_by_clause_from_4_1_to_10_3():
    template = load_template(checklists.TEMPLATES_DIR / "iso9001-2015.yaml")
    clauses = [section.clause for section in template.sections]
    assert clauses[0] == "4.1" and clauses[-1] == "10.3"
    for main in ("4", "5", "6", "7", "8", "9", "10"):
        assert any(c.split(".")[0] == main for c in clauses), main
    assert template.item_count >= 100


def test_a_process_checklist_for_the_one_stop_centre_ships():
    found = checklists.catalogue()
    assert "one-stop-dossiers" in found.templates
    assert found.templates["one-stop-dossiers"].item_count > 20
    assert not found.errors


def test_a_good_file_loads(tmp_path):
    template = load_template(write(tmp_path, GOOD, "good.yaml"))
    assert template.key == "good"
    assert template.sections[0].items[0].ref == "RCV-1"


def test_a_missing_field_is_named_with_its_line(tmp_path):
    text = GOOD.replace(
        'question: {vi: "Hồ sơ có được kiểm tra đủ thành phần không?", en: "Is the dossier checked?"}',
        'question:\n          vi: "Câu hỏi?"',
    )
    message = refusal(write(tmp_path, text))
    assert message == "audits/bad.yaml line 8: sections[0].items[0].question.en: field required"


def test_an_unknown_key_is_refused(tmp_path):
    text = GOOD + '        colour: "red"\n'
    assert refusal(write(tmp_path, text)) == (
        "audits/bad.yaml line 10: sections[0].items[0].colour: unknown field"
    )


def test_an_unknown_top_level_key_is_refused(tmp_path):
    text = "version: 2\n" + GOOD
    assert refusal(write(tmp_path, text)) == "audits/bad.yaml line 1: version: unknown field"


def test_a_clause_written_as_a_number_is_refused(tmp_path):
    text = GOOD.replace('clause: "8.5.1"', "clause: 8.5")
    assert refusal(write(tmp_path, text)) == (
        "audits/bad.yaml line 4: sections[0].clause: must be text (put it in quotes)"
    )


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('clause: "8.5.1"', 'clause: "8.5a"', "sections[0].clause"),
        ('ref: "RCV-1"', 'ref: "RCV 1/2"', "sections[0].items[0].ref"),
    ],
)
def test_a_value_out_of_pattern_is_refused(tmp_path, old, new, where):
    message = refusal(write(tmp_path, GOOD.replace(old, new)))
    assert f": {where}: " in message and "does not match" in message


def test_a_blank_translation_is_refused(tmp_path):
    text = GOOD.replace('en: "Sample 5 dossiers."', 'en: "  "')
    assert refusal(write(tmp_path, text)) == (
        "audits/bad.yaml line 9: sections[0].items[0].guidance.en: must not be empty"
    )


def test_a_ref_used_twice_is_refused_with_both_lines(tmp_path):
    item = GOOD[GOOD.index("      - ref:") :]
    message = refusal(write(tmp_path, GOOD + item))
    assert message == (
        "audits/bad.yaml line 10: sections[0].items[1].ref: ref RCV-1 is already used at line 7"
    )


def test_a_duplicate_key_is_refused(tmp_path):
    text = GOOD.replace('title: {vi: "Danh mục thử", en: "Test checklist"}\n', "", 0)
    text = text + 'title: {vi: "Lần hai", en: "Twice"}\n'
    assert "line 10: title: duplicate key" in refusal(write(tmp_path, text))


def test_a_section_without_items_is_refused(tmp_path):
    text = GOOD[: GOOD.index("    items:")] + "    items: []\n"
    assert refusal(write(tmp_path, text)) == (
        "audits/bad.yaml line 6: sections[0].items: must not be empty"
    )


def test_broken_yaml_is_refused_with_its_line(tmp_path):
    text = GOOD.replace('title: {vi: "Kiểm soát', 'title: {vi: "Kiểm soát [')
    text = text.replace('en: "Control of service provision"}', 'en: "x"')
    message = refusal(write(tmp_path, text))
    assert message.startswith("audits/bad.yaml line ") and "not valid YAML" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1: the file is empty"),
        ("- just\n- a list\n", "line 1: the file must be a mapping"),
    ],
)
def test_an_empty_or_shapeless_file_is_refused(tmp_path, text, expected):
    assert expected in refusal(write(tmp_path, text))


def test_a_file_name_that_cannot_be_a_key_is_refused(tmp_path):
    message = refusal(write(tmp_path, GOOD, "ISO 9001.yaml"))
    assert message.startswith("audits/ISO 9001.yaml line 1: the file name")


def test_the_catalogue_keeps_good_templates_beside_refused_ones(tmp_path):
    write(tmp_path, GOOD, "good.yaml")
    write(tmp_path, GOOD.replace('clause: "8.5.1"', "clause: 8.5"), "bad.yaml")
    found = checklists.catalogue(tmp_path / "audits")
    assert list(found.templates) == ["good"]
    assert list(found.errors) == ["bad"]
    with pytest.raises(Invalid) as caught:
        checklists.get_template("bad", tmp_path / "audits")
    assert caught.value.field == "template_keys" and "line 4" in str(caught.value)
    with pytest.raises(Invalid):
        checklists.get_template("nope", tmp_path / "audits")


def test_an_edited_file_is_read_again(tmp_path):
    path = write(tmp_path, GOOD, "good.yaml")
    assert checklists.catalogue(tmp_path / "audits").templates["good"].item_count == 1
    item = GOOD[GOOD.index("      - ref:") :].replace("RCV-1", "RCV-2")
    path.write_text(GOOD + item, encoding="utf-8")
    assert checklists.catalogue(tmp_path / "audits").templates["good"].item_count == 2


def test_the_command_line_checks_a_folder(cli, tmp_path):
    write(tmp_path, GOOD, "good.yaml")
    code, output = cli("audit-templates", "check", str(tmp_path / "audits"))
    assert code == 0 and "ok      good: 1 sections, 1 items" in output
    write(tmp_path, GOOD.replace('ref: "RCV-1"', "ref: 7"), "bad.yaml")
    code, output = cli("audit-templates", "check", str(tmp_path / "audits"))
    assert code == 1
    assert "audits/bad.yaml line 7: sections[0].items[0].ref: must be text" in output


def test_the_quality_officer_sees_the_templates_in_the_pages(world):
    browser = world.browser(world.quality_officer)
    page = browser.get("/audit-templates")
    assert page.status_code == 200
    assert "iso9001-2015" in page.text and "one-stop-dossiers" in page.text
    detail = browser.get("/audit-templates/iso9001-2015")
    assert detail.status_code == 200 and "10.3" in detail.text
    assert browser.get("/audit-templates/nope").status_code == 404
    assert world.browser(world.staff).get("/audit-templates").status_code == 403


def test_the_api_lists_the_templates_and_shows_one(world):
    api = world.api(world.auditor)
    listed = {t["key"]: t for t in api.get("/api/v1/audit-templates").json()}
    assert listed["iso9001-2015"]["items"] == 140 and listed["iso9001-2015"]["status"] == "valid"
    detail = api.get("/api/v1/audit-templates/one-stop-dossiers").json()
    assert detail["sections"][0]["items"][0]["question"]["vi"]
    assert api.get("/api/v1/audit-templates/nope").status_code == 404
