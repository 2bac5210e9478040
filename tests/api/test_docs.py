"""/docs: Swagger UI from the service's own files (no CDN), under a CSP naming no other host."""

from html.parser import HTMLParser

import pytest

from src.docs import SWAGGER_UI_VERSION


class _References(HTMLParser):
    """Every URL a page refers to (src, href) and its inline scripts."""

    def __init__(self):
        super().__init__()
        self.urls, self.inline_scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.urls += [found[name] for name in ("src", "href") if found.get(name)]
        self._in_script = tag == "script" and "src" not in found

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def _references(html):
    parser = _References()
    parser.feed(html)
    return parser


def test_docs_refers_only_to_the_services_own_urls(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = _references(response.get_data(as_text=True))
    assert len(page.urls) == 4
    for url in page.urls:
        assert url.startswith("/") and not url.startswith("//"), url
    assert page.inline_scripts == []
    assert 'data-spec-url="/openapi.json"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("suffix", "mimetype"),
    [(".css", "text/css"), (".js", "text/javascript"), (".png", "image/png")],
)
def test_each_asset_the_docs_page_loads_is_served_with_its_type(client, suffix, mimetype):
    urls = _references(client.get("/docs").get_data(as_text=True)).urls
    assert [url for url in urls if url.endswith(suffix)]
    for url in urls:
        if url.endswith(suffix):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.mimetype == mimetype, url
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert len(response.data) > 0
            response.close()


def test_the_swagger_ui_script_is_the_pinned_bundles(client):
    response = client.get(f"/docs/swagger-ui/{SWAGGER_UI_VERSION}/swagger-ui-bundle.js")
    assert SWAGGER_UI_VERSION == "4.15.5"  # requirements.txt: swagger-ui-bundle==1.1.0
    assert b"SwaggerUIBundle" in response.data
    assert response.headers["Cache-Control"] == "public, max-age=31536000"
    response.close()


@pytest.mark.parametrize(
    "path",
    [
        f"/docs/swagger-ui/{SWAGGER_UI_VERSION}/index.html",  # the bundle's demo page
        f"/docs/swagger-ui/{SWAGGER_UI_VERSION}/swagger-initializer.js",
        "/docs/swagger-ui/0.0.1/swagger-ui.css",
        f"/docs/swagger-ui/{SWAGGER_UI_VERSION}/..%2F__init__.py",
    ],
)
def test_other_files_of_the_bundle_are_404_problem(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


def test_the_docs_csp_names_no_other_host_and_no_inline_script(client):
    policy = client.get("/docs").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    for sources in directives.values():
        for source in sources.split():
            assert source in {"'self'", "'none'", "data:"}, source
