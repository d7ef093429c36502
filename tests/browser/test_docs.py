"""/docs works on a machine with no internet: every asset comes from this server."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect


@pytest.fixture
def offline_page(new_page):
    """A page that may load nothing from anywhere but 127.0.0.1; what it tried elsewhere is recorded."""
    page, outside = new_page(), []

    def only_this_machine(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    page.outside = outside
    return page


def test_swagger_ui_renders_every_operation_offline(offline_page):
    offline_page.goto("/docs")
    expect(offline_page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    paths = offline_page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/shapes", "/api/featuremaps", "/api/layers"} <= {p.strip() for p in paths}
    assert offline_page.outside == []
