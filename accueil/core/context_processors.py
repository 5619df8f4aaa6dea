from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def shell(request):
    """What the base template needs on every page: the other language and where it lives."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    other = "en" if language == "fr" else "fr"
    return {
        "current_language": language,
        "other_language": other,
        "other_language_name": dict(settings.LANGUAGES)[other],
        "other_language_url": translate_url(request.get_full_path(), other),
    }
