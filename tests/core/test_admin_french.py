"""The admin speaks French on French pages: models, fields, choices and the index."""

import html
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst

from tests.factories import TEST_PASSWORD

OUR_APPS = {"accounts", "catalog", "core", "notify", "queues"}
VISIBLE = re.compile(r"<(label|th|a|h1|h2|h3|caption|option|legend)\b[^>]*>(.*?)</\1>", re.S)


@pytest.fixture(autouse=True)
def in_french():
    """reverse() follows the active language, which an earlier test may have left in English."""
    with translation.override("fr"):
        yield


def visible_texts(page: str) -> set[str]:
    texts = set()
    for _tag, inner in VISIBLE.findall(page):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip().rstrip(":").strip()
        if text:
            texts.add(text)
    return texts


def english_labels() -> set[str]:
    """Every label our models show, in English, where French says something else."""
    labels = set()
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        names = [model._meta.verbose_name, model._meta.verbose_name_plural]
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name") and not field.auto_created:
                names.append(field.verbose_name)
            for _value, label in getattr(field, "flatchoices", None) or []:
                names.append(label)
        for name in names:
            with translation.override("en"):
                english = capfirst(str(name))
            with translation.override("fr"):
                french = capfirst(str(name))
            if english != french:
                labels.add(english)
    return labels


def admin_models():
    """Models the admin shows, each with the fields it hides: an inline's link to its parent."""
    shown = {}
    for model, model_admin in admin.site._registry.items():
        shown.setdefault(model, set())
        for inline in model_admin.inlines:
            parent = {f.name for f in inline.model._meta.fields if f.related_model is model}
            shown[inline.model] = shown.get(inline.model, parent) & parent
    return {model: hidden for model, hidden in shown.items() if model._meta.app_label in OUR_APPS}


def test_every_field_the_admin_shows_has_a_translated_label():
    untranslated = []
    for model, hidden in admin_models().items():
        for field in model._meta.get_fields():
            if field.auto_created or not isinstance(field, models.Field) or field.name in hidden:
                continue
            if not field.editable and not field.is_relation:
                continue
            if not isinstance(field.verbose_name, Promise):
                untranslated.append(f"{model._meta.label}.{field.name}")
    assert untranslated == []


def admin_pages(client, personas):
    """The index, every changelist and add form, and the change form of a real row of each."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        urls.append(reverse(f"{base}_changelist"))
        urls.append(reverse(f"{base}_add"))
        first = model.objects.first()
        if first is not None:
            urls.append(reverse(f"{base}_change", args=[first.pk]))
    return urls


def test_french_admin_pages_show_no_english_label(client, personas, django_user_model):
    from accueil.notify.models import Message

    Message.objects.create(
        idempotency_key="fr-admin",
        channel="sms",
        recipient="+16135550111",
        agency=personas.agency,
        template="visit.called",
        status="failed",
        error="SMS is not configured",
    )
    root = django_user_model.objects.create_superuser("root", "root@example.ca", TEST_PASSWORD)
    client.force_login(root)
    english = english_labels()
    found = {}
    for url in admin_pages(client, personas):
        response = client.get(url)
        if response.status_code == 403 and url.endswith("/add/"):
            continue  # rows only actions write (messages, tokens)
        assert response.status_code == 200, url
        leaks = visible_texts(response.content.decode()) & english
        if leaks:
            found[url] = sorted(leaks)
    assert found == {}
