"""Long record pages (issue 19.8): jump links to their sections, the text before the
reviewer's sign form, no controlled copy of a revision not yet issued."""

from __future__ import annotations

from tests.documents import factories as f


def test_the_reviewer_reads_the_text_before_the_sign_form_and_gets_no_controlled_copy(world):
    revision_id = f.revision_in(world, "in_review")
    page = world.browser(world.auditor).get(f"/revisions/{revision_id}").text
    assert 'href="#content-title"' in page and 'href="#review-title"' in page
    assert page.index('id="content-title"') < page.index(f"/revisions/{revision_id}/review")
    assert f"/revisions/{revision_id}.pdf" not in page


def test_an_effective_revision_offers_its_controlled_copy(world):
    _document_id, revision_id = f.effective_document(world)
    page = world.browser(world.staff).get(f"/revisions/{revision_id}").text
    assert f"/revisions/{revision_id}.pdf" in page


def test_the_document_page_has_jump_links_to_its_sections(world):
    document_id, _revision_id = f.effective_document(world)
    page = world.browser(world.quality_officer).get(f"/documents/{document_id}").text
    for anchor in ("content-title", "revisions-title", "distribution-title", "periodic-title"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page, anchor


def test_each_checklist_section_leads_back_to_the_clauses(world):
    from tests.audits import support

    built = support.build(world, "in_progress")
    page = world.browser(world.auditor).get(f"/audits/{built.id}/checklist").text
    assert 'id="clauses"' in page and page.count('href="#clauses"') > 3
