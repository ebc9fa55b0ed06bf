"""What staff asks of the platform's trust mechanisms: which of its models keep change history, and the history
each of its pages shows. Found by `staff.platform.history.registry.discover()`, like every app's `trust.py`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from staff.models import EmploymentExtent, Organisation, StaffMember
from staff.platform import identity_scan
from staff.platform.audit.models import AccessReview
from staff.platform.history.display import Source
from staff.platform.history.registry import LEGACY, OrganisationHistoryBase, track

track(Organisation, exclude=["created_at"], table=LEGACY, bases=[OrganisationHistoryBase])
track(EmploymentExtent, exclude=["created_at"], table=LEGACY)
track(StaffMember)

identity_scan.texts(AccessReview, "comment")


def organisation_history() -> list[Source]:
    return [Source(Organisation, {}, _("Organisation settings"), created_values=False)]


def staff_record_source(member: StaffMember, *, hide: tuple[str, ...] = ("user",)) -> Source:
    """The staff record itself (name, unit, employment, FTE, manager); the login link is never shown."""
    return Source(StaffMember, {"id": member.pk}, _("Staff record"), hide=hide)


def fte_periods_source(member: StaffMember) -> Source:
    return Source(EmploymentExtent, {"staff_id": member.pk}, _("FTE period"), hide=("staff", "created_by"))


def staff_record_history(member: StaffMember) -> list[Source]:
    """The organisation admin's person page: the staff record and its FTE periods."""
    return [staff_record_source(member), fte_periods_source(member)]
