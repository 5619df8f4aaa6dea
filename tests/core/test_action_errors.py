"""One action error, rendered once for the API and once for pages (core/actions.py)."""

import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from accueil.api.v1 import api
from accueil.core.actions import ActionError, ActionErrorMiddleware, errors_on
from accueil.queues import console


@pytest.fixture(autouse=True)
def _language_of_the_request():
    yield
    translation.deactivate()


def refusal():
    return ActionError("desk_closed", "Open your desk first.", field="desk", visit={"id": "x"})


def test_the_api_renders_an_action_error_in_the_contract_shape(rf):
    response = api.on_exception(rf.post("/api/v1/anything"), refusal())
    assert response.status_code == 409
    assert json.loads(response.content) == {
        "error": {
            "code": "desk_closed",
            "message": "Open your desk first.",
            "details": [{"field": "desk", "problem": "Open your desk first."}],
            "visit": {"id": "x"},
        }
    }


def _page_request(method, path, referer=None):
    request = getattr(RequestFactory(), method)(path, HTTP_REFERER=referer or "")
    translation.activate(path.split("/")[1])  # as LocaleMiddleware does for a real request
    request.resolver_match = resolve(path)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_page_post_gets_the_message_and_goes_where_the_view_said(db):
    assert console.call_next.failures_return_to == ("queues:console", "", "")
    request = _page_request(
        "post", "/fr/console/desk/0b6c2f5e-0000-4000-8000-000000000000/call-next/"
    )
    response = ActionErrorMiddleware(lambda r: None).process_exception(request, refusal())
    assert response.status_code == 302 and response.url == "/fr/console/"
    assert [str(m) for m in get_messages(request)] == ["Open your desk first."]


def test_a_page_post_without_a_target_returns_to_the_page_it_came_from(db):
    request = _page_request("post", "/fr/logout/", referer="http://testserver/fr/staff/?a=1")
    response = ActionErrorMiddleware(lambda r: None).process_exception(request, refusal())
    assert response.url == "/fr/staff/?a=1"
    other = _page_request("post", "/fr/logout/", referer="https://elsewhere.example/fr/staff/")
    assert ActionErrorMiddleware(lambda r: None).process_exception(other, refusal()).url == "/"


def test_a_get_that_an_action_refuses_is_a_page_with_the_status_and_message(db):
    request = _page_request("get", "/fr/")
    response = ActionErrorMiddleware(lambda r: None).process_exception(request, refusal())
    assert response.status_code == 409
    assert "Open your desk first." in response.content.decode()


def test_other_exceptions_are_left_alone(db):
    request = _page_request("get", "/fr/")
    assert ActionErrorMiddleware(lambda r: None).process_exception(request, KeyError()) is None


class DeskForm(forms.Form):
    desk = forms.CharField(required=False)


def test_errors_on_puts_the_refusal_on_the_form_field_it_names():
    form = DeskForm({"desk": "4"})
    form.is_valid()
    with errors_on(form):
        raise refusal()
    assert form.errors == {"desk": ["Open your desk first."]}
    with errors_on(form):
        raise ActionError("full", "Someone just took this time.")
    assert form.non_field_errors() == ["Someone just took this time."]
