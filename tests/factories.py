"""Test data. Objects that real code creates through actions are created the same way here."""

import factory

from accueil.accounts.models import Role, User
from accueil.catalog.models import (
    Agency,
    Desk,
    Office,
    Service,
    ServiceStandard,
)
from accueil.lib.businesstime import parse_weekly

TEST_PASSWORD = "correct horse battery staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name_fr = factory.Sequence(lambda n: f"Organisme {n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    slug = factory.Sequence(lambda n: f"office-{n}")
    name_fr = factory.Sequence(lambda n: f"Bureau {n}")
    name_en = factory.Sequence(lambda n: f"Office {n}")
    address = "1, rue de l’Exemple"
    time_zone = "America/Toronto"

    @factory.post_generation
    def hours(office, create, extracted, **kwargs):
        """Open around the clock unless told otherwise (``hours="mon-fri 09:00-17:00"``):
        kiosks refuse tickets when the office is closed, and tests run at any hour."""
        if create:
            office.set_weekly_hours(parse_weekly(extracted or "mon-sun 00:00-24:00"))


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    slug = factory.Sequence(lambda n: f"service-{n}")
    name_fr = factory.Sequence(lambda n: f"Service {n} (fr)")
    name_en = factory.Sequence(lambda n: f"Service {n} (en)")
    description_fr = "Une description."
    description_en = "A description."
    channels = ["in_person", "web"]

    @factory.post_generation
    def offices(service, create, extracted, **kwargs):
        if create and extracted:
            service.offices.set(extracted)


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceStandard

    service = factory.SubFactory(ServiceFactory)
    measure = "wait"
    threshold = 15
    unit = "minutes"
    target_percent = 80


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk

    office = factory.SubFactory(OfficeFactory)
    label = factory.Sequence(lambda n: str(n + 1))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = "Tremblay"
    agency = factory.SubFactory(AgencyFactory)
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def offices(user, create, extracted, **kwargs):
        user.save()
        if create and extracted:
            user.offices.set(extracted)
