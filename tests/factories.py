"""Factories for test data. Each builds a consistent little world: a member's
supporter and program belong to the member's organization."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils.timezone import now as utc_now

from accounts.models import ApiToken, Organization, Staff
from checkins.models import Member
from checkins.programs import create_default_program


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Peer Support Org {n}")

    @factory.post_generation
    def program(obj, create, extracted, **kwargs):
        if create and not obj.programs.exists():
            create_default_program(obj, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"staff{n}@example.org")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("correct horse battery")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Sam Supporter{n}")
    role = Staff.Role.SUPPORTER
    phone = factory.Sequence(lambda n: f"+1202555{n:04d}")


class SupervisorFactory(StaffFactory):
    name = factory.Sequence(lambda n: f"Vera Supervisor{n}")
    role = Staff.Role.SUPERVISOR


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    program = factory.LazyAttribute(lambda m: m.organization.programs.first())
    supporter = factory.SubFactory(StaffFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Alex Member{n}")
    phone = factory.Sequence(lambda n: f"+1312555{n:04d}")
    timezone = "America/New_York"
    language = "en"
    checkin_time = dt.time(9, 0)
    consent_at = factory.LazyFunction(utc_now)
    consent_method = "written"
    consent_text_version = "2026-01"

    @factory.post_generation
    def schedule(obj, create, extracted, **kwargs):
        if create and extracted is not False and obj.next_checkin_at is None and obj.status == Member.Status.ACTIVE:
            obj.schedule_next_checkin()
            obj.save(update_fields=["next_checkin_at"])


def token_for(staff: Staff) -> str:
    return ApiToken.issue(staff)
