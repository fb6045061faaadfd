"""People read statuses and trail actions as words in their language, never as codes
(`in_review`, `action_planned`): in refusals of the API and the pages, on trail pages
and in the document history. Machine fields keep the codes."""

from __future__ import annotations

import re
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import pytest

from qms.config import PROJECT_ROOT
from qms.documents.states import REVISION_STATUS_LABELS as REVISION_STATUS
from qms.documents.states import RevisionStatus
from qms.i18n import gettext
from qms.nonconformities.states import STATUS_LABELS as NC_STATUS
from qms.nonconformities.states import Status as NcStatus
from qms.registry import DOMAINS
from qms.trail import labels
from tests.documents import factories as docs
from tests.nonconformities.builders import build

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
TAGS = re.compile(r"<[^>]+>")


def _main_text(html: str) -> str:
    """What a person reads in the page's main part (tags, attributes and hidden inputs out)."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return TAGS.sub(" ", main.split(">", 1)[1])


def test_a_refused_transition_names_the_status_in_vietnamese(world):
    revision_id = docs.revision_in(world, "in_review")
    client = world.api(world.quality_officer)
    client.cookies.set("qms_lang", "vi")
    response = client.post(f"/api/v1/revisions/{revision_id}/publish", json={})
    assert response.status_code == 409
    body = response.json()
    assert gettext("vi", REVISION_STATUS[RevisionStatus.in_review]) in body["detail"]
    assert "in_review" not in body["detail"]
    # The machine fields keep the codes.
    assert body["current"] == "in_review"
    assert body["target"] == "effective"


def test_a_refused_transition_names_the_status_in_english(world):
    revision_id = docs.revision_in(world, "in_review")
    response = world.api(world.quality_officer).post(
        f"/api/v1/revisions/{revision_id}/publish", json={}
    )
    assert response.status_code == 409
    assert "in review" in response.json()["detail"]
    assert "in_review" not in response.json()["detail"]


def test_a_nonconformity_refusal_on_a_page_reads_its_status(world):
    nc = build(world, "action_planned")
    browser = world.browser(world.manager)
    browser.cookies.set("qms_lang", "vi")
    response = browser.submit(
        f"/nonconformities/{nc.id}/close",
        {"password": world.manager.password},
        page=f"/nonconformities/{nc.id}",
    )
    assert response.status_code == 409
    message = re.search(r'<p class="error" role="alert">([^<]*)</p>', response.text).group(1)
    assert "action_planned" not in message
    assert gettext("vi", NC_STATUS[NcStatus.action_planned]) in message


def test_editing_a_revision_that_is_not_a_draft_names_its_status(world):
    revision_id = docs.revision_in(world, "reviewed")
    client = world.api(world.quality_officer)
    client.cookies.set("qms_lang", "vi")
    response = client.patch(
        f"/api/v1/revisions/{revision_id}",
        json={"content_md": "Sửa", "change_summary": "", "version": 99},
    )
    assert response.status_code == 409
    assert not SNAKE.search(response.json()["detail"])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_trail_of_a_nonconformity_reads_as_words(world, lang):
    nc = build(world, "closed")
    browser = world.browser(world.quality_officer)
    browser.cookies.set("qms_lang", lang)
    page = browser.get(f"/trail/nonconformity/{nc.id}")
    assert page.status_code == 200
    text = _main_text(page.text)
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), "an ISO date on the trail"
    if lang == "vi":
        assert "ghi nhận sự không phù hợp" in text  # raised
        assert "Nguồn" in text or "Mức độ" in text  # field labels, not `source`
        assert world.manager.user.full_name in text  # the owner named, not `owner_id: 3`
        assert "A – Phòng A" in text  # the department named
    else:
        assert "corrective actions planned" in text


def test_the_history_of_a_document_reads_as_words(world):
    document_id, _revision_id = docs.effective_document(world)
    browser = world.browser(world.quality_officer)
    browser.cookies.set("qms_lang", "vi")
    page = browser.get(f"/documents/{document_id}/history")
    assert page.status_code == 200
    text = _main_text(page.text)
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert "trình xem xét" in text  # submitted
    assert "ký điện tử" in text  # signed:reviewed / signed:approved


def _literal_actions() -> set[str]:
    found = set()
    for path in Path(PROJECT_ROOT / "qms").rglob("*.py"):
        source = path.read_text()
        found.update(re.findall(r'\baction="([a-z_:]+)"', source))
        found.update(re.findall(r'_write\(\s*session, nc, by, "([a-z_]+)"', source))
    return found


def test_every_trail_action_has_a_label():
    from qms.audits.states import AuditStatus
    from qms.documents.states import DocumentStatus
    from qms.nonconformities.models import CheckResult

    # Each domain's pages add the labels of its own trail actions when imported.
    for name in DOMAINS:
        if find_spec(f"{name}.web") is not None:
            import_module(f"{name}.web")
    actions = _literal_actions()
    actions |= {s.value for s in AuditStatus if s is not AuditStatus.planned}
    actions |= {f"document_{s.value}" for s in DocumentStatus if s is not DocumentStatus.draft}
    actions |= {f"checked_{r.value}" for r in CheckResult}
    assert len(actions) > 30
    missing = sorted(a for a in actions if a not in labels.ACTIONS)
    assert not missing, missing


@pytest.mark.parametrize("state", ["action_planned", "closed"])
def test_the_corrective_action_request_pdf_shows_no_code(world, state):
    import io
    import unicodedata

    from pypdf import PdfReader

    if state == "closed":
        # A closed form is kept once, at closing, in the organisation's language.
        world.app.state.settings.lang = "vi"
    nc = build(world, state)
    client = world.api(world.quality_officer)
    client.cookies.set("qms_lang", "vi")
    response = client.get(f"/api/v1/nonconformities/{nc.id}.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert gettext("vi", NC_STATUS[NcStatus(state)]) in text
