"""Swagger UI runs in Chromium under the site's CSP, asking nothing of another origin."""


def test_the_api_docs_render_every_operation_from_this_site_only(page, server):
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text))
    page.goto(f"{server}/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 5
    assert page.get_by_text("/api/v1/offices", exact=True).first.is_visible()
    assert [url for url in requests if not url.startswith(server + "/")] == []
    assert [text for text in problems if "Content Security Policy" in text] == []
