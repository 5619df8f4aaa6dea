"""Validators for what people type into names and labels.

A name or a label ends up in email subjects, SMS texts, display boards and spoken
announcements: a line break there breaks an email header, and invisible direction controls
make "Guichet 4" read as something else. Names are one line of visible text.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls (tab and line breaks included), line/paragraph separators, and the bidi
# embedding, override and isolate controls.
INVISIBLE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def single_line(value: str) -> None:
    if INVISIBLE_CONTROLS.search(value or ""):
        raise ValidationError(
            _("Use a single line without control characters."), code="control_characters"
        )
