"""What the competence ladder asks of the platform's trust mechanisms: the models that keep change history
and the history its pages show. Found by `staff.platform.history.registry.discover()`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from competence.models import (
    Appointment,
    Assessment,
    LadderLevel,
    LadderSettings,
    LevelPlacement,
    Onboarding,
    PayrollApproval,
    PayrollLayout,
    PlannedTraining,
    PricingPeriod,
    SupplementRate,
    Training,
    UnitCostCentre,
)
from competence.supervisory import person_ladder
from staff.platform import identity_scan
from staff.platform.audit import supervisory
from staff.platform.audit.registry import OWN, SETTINGS, STAFF, Logged, access_log_pages
from staff.platform.history.display import Source
from staff.platform.history.registry import LEGACY, track
from staff.trust import fte_periods_source, staff_record_source

track(LevelPlacement, table=LEGACY)
track(SupplementRate, table=LEGACY)
track(Appointment, exclude=["created_at"], table=LEGACY)
track(LadderLevel, table=LEGACY)
track(LadderSettings, table=LEGACY)
track(Onboarding, exclude=["created_at"], table=LEGACY)
track(PricingPeriod, exclude=["created_at"], table=LEGACY)
track(PayrollLayout)
track(UnitCostCentre)
track(PayrollApproval)

identity_scan.texts(Assessment, "motivation", "override_reason")
supervisory.person_part("competence", person_ladder)  # a person's export for a supervisory request
identity_scan.texts(LadderLevel, "expectations")
identity_scan.texts(Training, "description")
identity_scan.texts(PlannedTraining, "goal", "purpose")


# Its pages in the access log: what each shows, or why it shows no personal data (staff.platform.audit.registry).
access_log_pages(
    {
        "competence:overview": Logged("report"),
        "competence:my_ladder": OWN,
        "competence:staff_list": Logged("staff"),
        "competence:staff_detail": STAFF,
        "competence:promote": STAFF,
        "competence:place": STAFF,
        "competence:introduction_create": STAFF,
        "competence:mentor_add": STAFF,
        "competence:training_add": STAFF,
        "competence:onboarding_undo": STAFF,
        "competence:item_done": Logged("staff"),
        "competence:reflection_attendance": Logged("staff"),
        "competence:appointments": Logged("staff"),
        "competence:appointment_renew": Logged("staff"),
        "competence:supplements": Logged("report"),
        "competence:supplements_csv": Logged("report", channel="export"),
        "competence:supplements_prepare": Logged("report"),
        "competence:supplements_approve": Logged("report"),
        "competence:payroll_file": Logged("report", channel="export"),
        "competence:payroll": Logged("report"),
        "competence-supplements": Logged("report"),
    },
    not_personal={
        "competence:settings": SETTINGS,
        "competence:level_add": SETTINGS,
        "competence:level_edit": SETTINGS,
        "competence:rate_add": SETTINGS,
        "competence:template_item_add": SETTINGS,
        "competence:training_add_catalogue": SETTINGS,
        "competence:setup_default": SETTINGS,
    },
)


def ladder_member_history(member) -> list[Source]:
    """The person page of the ladder: the staff record (without its login link and leaving reason, which the
    organisation admin's page shows) and the ladder's own rows."""
    return [
        staff_record_source(member, hide=("user", "leaving_reason")),
        Source(LevelPlacement, {"staff_id": member.pk}, _("Ladder level"), hide=("staff",)),
        Source(Appointment, {"staff_id": member.pk}, _("Specialist appointment"), hide=("staff", "renewal_of")),
        Source(Onboarding, {"staff_id": member.pk}, _("Start as a new social worker"), hide=("staff", "placement")),
        fte_periods_source(member),
    ]


def ladder_settings_history() -> list[Source]:
    return [
        Source(LadderSettings, {}, _("Ladder settings"), created_values=False),
        Source(LadderLevel, {}, _("Ladder level")),
        Source(SupplementRate, {}, _("Supplement amount")),
        Source(PricingPeriod, {}, _("Supplement terms"), hide=("created_by",)),
    ]
