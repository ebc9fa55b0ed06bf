"""factory-boy factories. Related objects always stay in one organisation."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from staff.models import Department, Group, Organisation, RoleAssignment, StaffMember, Unit

TEST_PASSWORD = "correct-horse-battery"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    slug = factory.Sequence(lambda n: f"test-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Avdelning {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    department = factory.SubFactory(DepartmentFactory)
    organisation = factory.SelfAttribute("department.organisation")
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = Unit.Kind.INVESTIGATION


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    unit = factory.SubFactory(UnitFactory)
    organisation = factory.SelfAttribute("unit.organisation")
    name = factory.Sequence(lambda n: f"Grupp {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password(TEST_PASSWORD))


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    unit = factory.SubFactory(UnitFactory)
    organisation = factory.LazyAttribute(lambda o: o.unit.organisation if o.unit else OrganisationFactory())
    user = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    employment_start = datetime.date(2020, 1, 1)
    profession_start = datetime.date(2018, 1, 1)
    fte = Decimal("1.00")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    staff = factory.SubFactory(StaffMemberFactory)
    organisation = factory.SelfAttribute("staff.organisation")
