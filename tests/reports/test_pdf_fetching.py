"""PDF records fetch nothing outside the app: user-typed content that names a local file, a
local server or a CSS url() is rendered without it, and the PDF is still produced."""

from __future__ import annotations

import io
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from pypdf import PdfReader

from qms.reports import pdf
from tests.audits import support
from tests.documents import factories as documents
from tests.factories import PASSWORD
from tests.nonconformities.builders import build as build_nonconformity


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture
def server():
    """A server on 127.0.0.1 that records every request it gets (and would serve an image)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = PNG if self.path.endswith(".png") else b"body { color: red }"
            self.send_response(200)
            self.send_header("Content-Type", "image/png" if body is PNG else "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    # The server answers (so a test that sees no hit means nothing asked).
    urllib.request.urlopen(f"{base}/probe").read()  # noqa: S310 (http to our own server)
    assert hits == ["/probe"]
    hits.clear()
    yield base, hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local_png(tmp_path):
    path = tmp_path / "secret.png"
    path.write_bytes(PNG)
    return path


def _hostile(base: str, local_png) -> str:
    return (
        f'<img src="file://{local_png}"> <img src="file:///etc/passwd">'
        f' <img src="{base}/img.png"> <link rel="stylesheet" href="{base}/sheet.css">'
        f'<div style="background: url({base}/background.png)">nền</div>'
        f"<style>@import url({base}/import.css); p {{ background: url({base}/css.png) }}"
        f" @font-face {{ font-family: X; src: url({base}/font.ttf) }}</style>"
    )


def _images(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    return sum(len(page.images) for page in reader.pages)


def _text(data: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_the_renderer_fetches_no_file_no_host_and_no_css_url(server, local_png):
    base, hits = server
    html = f"<p>Văn bản vẫn in được.</p>{_hostile(base, local_png)}"
    data = pdf.render_pdf(html, stylesheets=[f"@import url({base}/sheet2.css);"], timeout=60)
    assert data.startswith(b"%PDF-")
    assert "Văn bản vẫn in được." in _text(data)
    assert hits == []
    assert _images(data) == 0


def test_without_the_fetcher_weasyprint_would_embed_the_local_file(local_png):
    # The probe above can see an image: WeasyPrint's own fetcher embeds a file:// image.
    from weasyprint import HTML

    data = HTML(string=f'<img src="file://{local_png}">').write_pdf()
    assert _images(data) == 1


def test_a_controlled_copy_with_hostile_content_fetches_nothing(world, server, local_png):
    base, hits = server
    content = (
        f"![remote]({base}/markdown.png)\n\n{_hostile(base, local_png)}\n\nQuy trình vẫn in được."
    )
    document_id = documents.new_document(world, title="Tiếp nhận hồ sơ")
    revision_id = documents.new_revision(world, document_id, content=content)
    documents.advance(world, revision_id, "effective")
    response = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}.pdf")
    assert response.status_code == 200
    assert "Quy trình vẫn in được." in _text(response.content)
    assert hits == []
    assert _images(response.content) == 0


def test_a_corrective_action_form_with_hostile_text_fetches_nothing(world, server, local_png):
    base, hits = server
    nc = build_nonconformity(world, "open")
    hostile = _hostile(base, local_png)
    response = world.api(world.manager).post(
        f"/api/v1/nonconformities/{nc.id}/investigate",
        json={"containment": hostile, "root_cause_method": "other", "root_cause": hostile},
    )
    assert response.status_code == 200, response.text
    response = world.api(world.manager).get(f"/api/v1/nonconformities/{nc.id}.pdf")
    assert response.status_code == 200
    assert "file:///etc/passwd" in _text(response.content)  # shown as text, not fetched
    assert hits == []
    assert _images(response.content) == 0


def test_an_audit_report_with_hostile_evidence_fetches_nothing(world, server, local_png):
    base, hits = server
    built = support.build(world, "in_progress")
    hostile = _hostile(base, local_png)
    refs = [i.ref for i in support.items(world, built)]
    support.answer(world, built, answers={refs[0]: (support.Result.observation, hostile)})
    response = world.api(world.auditor).post(
        f"/api/v1/audits/{built.id}/report",
        json={"password": PASSWORD, "summary": hostile, "strengths": hostile},
    )
    assert response.status_code == 200, response.text
    data = world.api(world.auditor).get(f"/api/v1/audits/{built.id}.pdf").content
    assert "file:///etc/passwd" in _text(data)
    assert hits == []
    assert _images(data) == 0
