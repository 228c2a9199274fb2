"""A dossier fetches nothing but the project's own static files, and shows user text as text."""

import socket
from types import SimpleNamespace

import pytest

from assessments import services
from reports.fetcher import BASE_URL, StaticFilesOnly
from reports.rendering import dossier_render, html_to_pdf

from ..workflow import EVIDENCE, create_draft
from .conftest import page_texts

PASSWD_LINE = "root:x:0:0"


@pytest.fixture
def listener():
    """A listening socket on the loopback; ``connections()`` says how many clients reached it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.3)

    def connections():
        count = 0
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                return count
            conn.close()
            count += 1

    yield SimpleNamespace(port=server.getsockname()[1], connections=connections)
    server.close()


def hostile(port):
    return (
        f'<img src="http://127.0.0.1:{port}/x"> <img src="file:///etc/passwd"> '
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css"> '
        f'<object data="file:///etc/passwd"></object>'
    )


def test_the_listener_sees_a_plain_fetch(listener):
    # The check below can fail: WeasyPrint's own fetcher does reach the socket.
    import weasyprint

    port = listener.port
    weasyprint.HTML(string=f'<img src="http://127.0.0.1:{port}/x">').write_pdf(
        url_fetcher=weasyprint.urls.URLFetcher(timeout=0.5)
    )
    assert listener.connections() >= 1


def test_markup_in_answers_reaches_no_server_and_reads_no_file(people, listener):
    port = listener.port
    draft = create_draft(people, **{"overview.purpose": hostile(port), "overview.vendor": hostile(port)[:150]})
    services.bias_results_add(
        description=EVIDENCE,
        assessment=draft,
        rows=[
            {
                "dimension": "race",
                "group": f'<img src="http://127.0.0.1:{port}/g">',
                "n": 5,
                "metric": "selection_rate",
                "value": 1,
            }
        ],
        by=people.alice,
    )

    content, _ = dossier_render(draft)

    assert listener.connections() == 0
    text = " ".join(page_texts(content))
    assert PASSWD_LINE not in text
    assert f'<img src="http://127.0.0.1:{port}/x">' in text.replace("\n", " ")  # shown as the text it is


def test_even_unescaped_html_fetches_nothing_but_static_files(listener):
    port = listener.port
    fetcher = StaticFilesOnly()
    html = (
        f"<html><head><style>@import url('http://127.0.0.1:{port}/i.css');"
        f" body {{ background: url('file:///etc/passwd'); }}</style></head>"
        f"<body>{hostile(port)}<img src='/static/favicon.svg'><img src='data:image/png;base64,AAAA'></body></html>"
    )

    content = html_to_pdf(html, fetcher=fetcher)

    assert listener.connections() == 0
    assert PASSWD_LINE.encode() not in content
    assert f"http://127.0.0.1:{port}/x" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert fetcher.served == [BASE_URL + "static/favicon.svg"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/static/favicon.svg",
        "file:///etc/passwd",
        BASE_URL + "static/../config/settings.py",
        BASE_URL + "static/%2e%2e/config/settings.py",
        BASE_URL + "static/reports/../../manage.py",
        BASE_URL + "etc/passwd",
        BASE_URL + "static//etc/passwd.css",
        BASE_URL + "static/favicon.svg?x=1",
        BASE_URL + "static/reports/dossier.css\x00.png",
        "https://dossier.invalid.evil.example/static/favicon.svg",
        "data:text/css,body{}",
        BASE_URL + "static/css/missing.css",
        BASE_URL + "static/js/app.js",  # a static file, but not one a dossier may load
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_stylesheet_image_or_font(url):
    assert StaticFilesOnly.static_path(url) is None


def test_the_fetcher_serves_the_projects_static_files():
    assert StaticFilesOnly.static_path(BASE_URL + "static/reports/dossier.css").endswith("reports/dossier.css")
    assert StaticFilesOnly.static_path(BASE_URL + "static/favicon.svg").endswith("favicon.svg")
