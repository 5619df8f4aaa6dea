"""The CSV exports of the feedback page: the A-11 figures and the verbatims.

Both go through ``accueil/lib/csvexport.py`` (UTF-8 with a byte-order mark; a cell that starts
like a formula is prefixed with an apostrophe), so a comment such as ``=HYPERLINK(…)`` is text in
any spreadsheet program.

**A-11 layout.** One row per service, office and channel for the period and survey, with the
column names of the US federal CX reporting (OMB Circular A-11 section 280, as collected by GSA
Touchpoints and published on performance.gov): ``volume_of_customers`` (served),
``volume_of_customers_provided_survey_opportunity`` (offered), ``volume_of_respondents``, then
the counts of each answer of each question:

- a thumbs question: ``<code>_1`` (thumbs up) and ``<code>_0`` (thumbs down) — Touchpoints'
  ``question_1`` takes 0 or 1;
- a 5-point question: ``<code>_1`` … ``<code>_5``;
- the A-11 form's "what went well" / "what did not go well": ``positive_<driver>`` and
  ``negative_<driver>``, with A-11's driver names (``effectiveness``, ``ease``,
  ``efficiency``, ``transparency``, ``humanity``, ``employee``);
- any other tick-box question: ``<code>_<choice>``.

Counts, not shares: a spreadsheet adds counts across rows; shares are on the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone

from accueil.feedback.models import QuestionKind, Response
from accueil.feedback.reporting import QuestionResult, Report, Row
from accueil.lib.csvexport import Cell

# Touchpoints calls "employee helpfulness" "employee"; our choice code is "helpfulness".
A11_DRIVER_NAMES = {"helpfulness": "employee"}
A11_CHOICE_PREFIX = {"went_well": "positive", "went_badly": "negative"}

A11_HEAD = [
    "organization",
    "service",
    "office",
    "channel",
    "period",
    "period_start",
    "period_end",
    "survey",
    "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity",
    "volume_of_respondents",
    "response_rate",
]


def answer_columns(result: QuestionResult) -> list[tuple[str, str]]:
    """(column name, answer key) for each answer of one question."""
    question = result.question
    if question.kind == QuestionKind.CHOICES and question.code in A11_CHOICE_PREFIX:
        prefix = A11_CHOICE_PREFIX[question.code]
        return [(f"{prefix}_{A11_DRIVER_NAMES.get(k, k)}", k) for k in result.keys]
    return [(f"{question.code}_{key}", key) for key in result.keys]


def a11_rows(rep: Report, organization: str) -> Iterator[list[Cell]]:
    """The header, then one row per service, office and channel."""
    period = rep.filters.period
    survey = rep.filters.survey
    columns = [answer_columns(r) for r in rep.results(rep.total)]
    yield [*A11_HEAD, *(name for group in columns for name, _key in group)]
    for row in rep.rows:
        yield [
            organization,
            str(row.service or ""),
            str(row.office or ""),
            row.channel,
            period.code,
            period.start,
            period.last,
            str(survey or ""),
            row.served,
            row.offered,
            row.respondents,
            _rate(row),
            *(
                result.counts[key]
                for result, group in zip(rep.results(row), columns, strict=True)
                for _name, key in group
            ),
        ]


def _rate(row: Row) -> float | str:
    rate = row.response_rate
    return "" if rate is None else round(rate, 4)


VERBATIM_HEAD = [
    "submitted_at",
    "service",
    "office",
    "channel",
    "language",
    "served_by",
    "themes",
    "flagged",
    "personal_information_removed",
    "comment",
]


def verbatim_rows(responses: Iterable[Response]) -> Iterator[list[Cell]]:
    yield VERBATIM_HEAD
    for response in responses:
        review = getattr(response, "verbatim", None)
        yield [
            timezone.localtime(response.submitted_at).replace(microsecond=0),
            str(response.service),
            str(response.office),
            response.channel,
            response.language,
            response.agent.get_username() if response.agent else "",
            "; ".join(tag.theme.code for tag in response.themes.all()),
            "yes" if review is not None and review.flagged else "no",
            "yes" if review is not None and review.redacted_at else "no",
            response.comment,
        ]
