"""Agency, offices, desks and services, with their published service standards."""

import uuid
import zoneinfo
from datetime import time
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from accueil.core.validators import single_line
from accueil.lib.businesstime import BusinessCalendar
from accueil.lib.cache import TTLCache


class Bilingual:
    """Read ``name`` as ``name_fr`` or ``name_en`` in the active language."""

    def tr(self, field: str) -> str:
        language = (get_language() or "fr")[:2]
        other = "en" if language == "fr" else "fr"
        return getattr(self, f"{field}_{language}", "") or getattr(self, f"{field}_{other}", "")

    @property
    def name(self) -> str:
        return self.tr("name")

    def name_in(self, language: str) -> str:
        """The name in a given language (a notice in the visitor's language, not the page's)."""
        return getattr(self, f"name_{language}", "") or self.name_fr


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})


class Agency(Bilingual, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("short name"), unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[single_line])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Office(Bilingual, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="offices", verbose_name=_("agency")
    )
    slug = models.SlugField(_("short name"))
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[single_line])
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Toronto", validators=[validate_time_zone]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("open to the public"), default=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["agency", "name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="office_slug_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def weekly_hours(self) -> dict[int, tuple]:
        weekly: dict[int, list] = {day: [] for day in range(7)}
        for row in self.opening_hours.all():
            weekly[row.weekday].append((row.opens, row.closes))
        return {day: tuple(intervals) for day, intervals in weekly.items()}

    def set_weekly_hours(self, weekly: dict[int, tuple]) -> None:
        """Replace the opening intervals with ``weekly`` (as from ``parse_weekly``)."""
        _calendars.forget(self.pk)
        self.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(office=self, weekday=day, opens=opens, closes=closes)
            for day, intervals in weekly.items()
            for opens, closes in intervals
        )

    def cached_calendar(self) -> BusinessCalendar:
        """``calendar()`` read again at most every minute per process (check-ins ask often)."""
        return _calendars.get(self.pk, self.calendar)

    def calendar(self) -> BusinessCalendar:
        """The office's business calendar, for due times and service-standard clocks.

        Reads only related managers, so ``CALENDAR_PREFETCH`` makes it query-free in lists.
        """
        holidays = [h.date for h in self.agency.holidays.all() if h.office_id in (None, self.id)]
        closures = tuple((c.starts_at, c.ends_at) for c in self.closures.all())
        return BusinessCalendar(self.zone, self.weekly_hours(), frozenset(holidays), closures)


CALENDAR_PREFETCH = ("opening_hours", "closures", "agency__holidays")
_calendars: TTLCache = TTLCache(seconds=60)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval on one weekday; a day can have several (closed at lunch)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("office")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        # Closing at 00:00 means midnight at the end of the day (open until 24:00).
        if self.closes <= self.opens and self.closes != time(0):
            raise ValidationError(_("An office must close after it opens."))


class Holiday(Bilingual, models.Model):
    """A whole local day without service, for every office of the agency or for one office."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("agency")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        help_text=_("Leave empty for a holiday in every office."),
        verbose_name=_("office"),
    )
    date = models.DateField(_("date"))
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[single_line])

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Closure(Bilingual, models.Model):
    """An office closed between two instants (works, weather, training)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="closures", verbose_name=_("office")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason_fr = models.CharField(_("reason (French)"), max_length=200)
    reason_en = models.CharField(_("reason (English)"), max_length=200)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.tr("reason")

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _calendars.forget(self.office_id)  # this process sees it at once, others within a minute

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(_("A closure must end after it starts."))


class Category(Bilingual, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="categories", verbose_name=_("agency")
    )
    slug = models.SlugField(_("short name"))
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[single_line])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name_fr"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    WEB = "web", _("Online")
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By email")
    MAIL = "mail", _("By mail")
    APP = "app", _("Mobile app")


def validate_channels(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one channel."))
    unknown = set(map(str, value)) - set(Channel.values)
    if unknown:
        raise ValidationError(
            _("Unknown channel: %(channels)s."), params={"channels": ", ".join(sorted(unknown))}
        )


class Service(Bilingual, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="services", verbose_name=_("agency")
    )
    slug = models.SlugField(_("short name"))
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("category"),
    )
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[single_line])
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    what_to_bring_fr = models.TextField(_("what to bring (French)"), blank=True)
    what_to_bring_en = models.TextField(_("what to bring (English)"), blank=True)
    eligibility_fr = models.TextField(_("who can apply (French)"), blank=True)
    eligibility_en = models.TextField(_("who can apply (English)"), blank=True)
    fees_fr = models.CharField(_("fees (French)"), max_length=300, blank=True)
    fees_en = models.CharField(_("fees (English)"), max_length=300, blank=True)
    duration_fr = models.CharField(_("how long it takes (French)"), max_length=300, blank=True)
    duration_en = models.CharField(_("how long it takes (English)"), max_length=300, blank=True)
    channels = models.JSONField(_("channels"), default=list, validators=[validate_channels])
    offices = models.ManyToManyField(
        Office, related_name="services", blank=True, verbose_name=_("offered at")
    )
    ticket_prefix = models.CharField(
        _("ticket prefix"),
        max_length=2,
        default="A",
        validators=[RegexValidator(r"^[A-Z]{1,2}$", _("One or two capital letters."))],
    )
    retention_days = models.PositiveIntegerField(
        _("keep personal data for (days)"), default=365, validators=[MinValueValidator(1)]
    )
    appointment_minutes = models.PositiveSmallIntegerField(
        _("appointment length in minutes"),
        default=0,
        help_text=_("0: this service is not offered by appointment."),
    )
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="service_slug_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels[c]) for c in self.channels if c in labels]


class Measure(models.TextChoices):
    WAIT = "wait", _("time before being served")
    RESPONSE = "response", _("time to a first answer")
    RESOLUTION = "resolution", _("time to a decision")


class ThresholdUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    BUSINESS_HOURS = "business_hours", _("business hours")
    BUSINESS_DAYS = "business_days", _("business days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class ServiceStandard(models.Model):
    """A published commitment: "80 % served within 15 minutes"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="standards", verbose_name=_("service")
    )
    measure = models.CharField(_("what is measured"), max_length=16, choices=Measure.choices)
    threshold = models.PositiveIntegerField(_("threshold"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=16, choices=ThresholdUnit.choices)
    target_percent = models.PositiveSmallIntegerField(
        _("target (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        ordering = ["measure"]

    def __str__(self) -> str:
        return self.describe()

    def threshold_text(self) -> str:
        n = self.threshold
        texts = {
            ThresholdUnit.MINUTES: ngettext("%(n)s minute", "%(n)s minutes", n),
            ThresholdUnit.BUSINESS_HOURS: ngettext(
                "%(n)s business hour", "%(n)s business hours", n
            ),
            ThresholdUnit.BUSINESS_DAYS: ngettext("%(n)s business day", "%(n)s business days", n),
            ThresholdUnit.CALENDAR_DAYS: ngettext("%(n)s day", "%(n)s days", n),
        }
        return texts[ThresholdUnit(self.unit)] % {"n": n}

    def describe(self) -> str:
        """A whole sentence for citizens, in the active language."""
        params = {"percent": self.target_percent, "threshold": self.threshold_text()}
        sentences = {
            Measure.WAIT: _("%(percent)s%% of visitors served within %(threshold)s"),
            Measure.RESPONSE: _("%(percent)s%% of requests answered within %(threshold)s"),
            Measure.RESOLUTION: _("%(percent)s%% of requests decided within %(threshold)s"),
        }
        return str(sentences[Measure(self.measure)]) % params


class Desk(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="desks", verbose_name=_("office")
    )
    label = models.CharField(
        _("label"),
        max_length=40,
        help_text=_("Shown on the display, e.g. 4."),
        validators=[single_line],
    )
    services = models.ManyToManyField(
        Service, related_name="desks", blank=True, verbose_name=_("services served")
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["office", "label"]
        constraints = [
            models.UniqueConstraint(fields=["office", "label"], name="desk_label_unique_in_office")
        ]

    def __str__(self) -> str:
        return self.label
