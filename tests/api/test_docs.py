"""Interactive API documentation at /api/v1/docs, from this site's own files only."""

import re

from django.contrib.staticfiles import finders

from accueil.core.middleware import CONTENT_SECURITY_POLICY


def test_the_docs_page_loads_with_same_origin_assets_under_the_sites_csp(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    page = response.content.decode()
    assert '<html lang="en">' in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
    # No inline script for the CSP to refuse: the settings are data, not code.
    for script in re.findall(r"<script([^>]*)>", page):
        assert "src=" in script or 'type="application/json"' in script
    assert '"url": "/api/v1/openapi.json"' in page


def test_the_page_it_describes_is_the_contracts_document(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Accueil API"
