"""The Content-Security-Policy every page carries (the browser tests check that pages pass it)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/", "/api/docs/", "/healthz"])
def test_pages_carry_a_policy_that_allows_only_this_sites_scripts_and_styles(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_the_api_docs_script_is_a_file_not_inline(client):
    page = client.get("/api/docs/").content.decode()
    assert "<style>" not in page
    assert "<script>" not in page.replace("<script src=", "")
