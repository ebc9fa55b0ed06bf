"""`find_identity_numbers` reports stored identity numbers and case numbers outside the pattern, by id only."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from caseload.models import Assignment, CaseloadSettings
from intake.models import IntakeItem
from tests.caseload.factories import case
from tests.intake.factories import item

STRINGS = ("19121212-1212", "121212-1212", "201212121212", "Anna Svensson")


def _run(*args) -> tuple[str, str | None]:
    out = io.StringIO()
    try:
        call_command("find_identity_numbers", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def test_reports_counts_and_ids_per_organisation_and_column_never_the_strings(world):
    pnr_case = case(world.unit, "19121212-1212")
    named = case(world.unit, "Anna Svensson")
    clean = case(world.unit, "BoU-W-001", main=world.bob)
    Assignment.objects.filter(case=clean).update(reason="Omfördelad: gäller 121212-1212")
    almost = case(world.unit, "BoU-W-002")
    Assignment.objects.create(
        organisation=world.org,
        case=almost,
        staff=world.bob,
        role="main",
        start=datetime.date(2024, 1, 1),
        reason="Telefon 121212-1213",  # check digit off by one: no identity number
    )
    report = item(world.intake_unit, "MOT-2024-1", by=world.grace, received=timezone.now())
    IntakeItem.objects.filter(pk=report.pk).update(decision_reason="Anmälan om 201212121212")
    foreign = case(world.other_unit, "121212-1212")

    out, error = _run()

    assert error == "9 row(s) to correct: open them by id and remove the identity number or name."
    alfa = out.split("Beta kommun")[0]
    beta = out.split("Beta kommun")[1]
    assert f"Alfa kommun (organisation {world.org.pk}): found" in alfa
    assert f"caseload.Case.number: 1 row(s) with an identity number (ids {pnr_case.pk})" in alfa
    # the history keeps the number after a correction: reported by the case's id
    assert f"caseload.HistoricalCase.number: 1 row(s) with an identity number (ids {pnr_case.pk})" in alfa
    assert "caseload.Assignment.reason: 1 row(s) with an identity number (ids " in alfa
    assert f"intake.IntakeItem.decision_reason: 1 row(s) with an identity number (ids {report.pk})" in alfa
    assert (
        f"caseload.Case.number: 2 row(s) with a case number outside the pattern (ids {pnr_case.pk}, {named.pk})" in alfa
    )
    assert f"caseload.Case.number: 1 row(s) with an identity number (ids {foreign.pk})" in beta
    assert f"(ids {pnr_case.pk})" not in beta and f", {pnr_case.pk})" not in beta
    for text in STRINGS:
        assert text not in out and text not in error


def test_a_clean_organisation_passes_and_the_option_limits_the_scan(world):
    case(world.unit, "BoU-W-001")
    case(world.other_unit, "121212-1212")
    out, error = _run("--organisation", world.org.slug)
    assert error is None
    assert "Alfa kommun" in out and "Beta kommun" not in out
    assert "No identity numbers and no case numbers outside the pattern." in out
    assert _run("--organisation", "nowhere")[1] == "No organisation with short name 'nowhere'."


def test_case_numbers_are_checked_against_the_organisations_own_pattern(world):
    CaseloadSettings.objects.create(organisation=world.org, case_number_pattern="IFO [0-9]{4}/[0-9]+")
    ok = case(world.unit, "IFO 2024/1")
    old = case(world.unit, "BoU-W-001")
    out, error = _run("--organisation", world.org.slug)
    assert f"caseload.Case.number: 1 row(s) with a case number outside the pattern (ids {old.pk})\n" in out
    assert f"{ok.pk}" not in out.split("(ids ", 1)[1].split(")")[0].split(", ")
    assert error == "1 row(s) to correct: open them by id and remove the identity number or name."


@pytest.mark.parametrize("slug_of", ["org", "other_org"])
def test_every_organisation_is_scanned_under_its_own_tenant_setting(world, slug_of):
    organisation = getattr(world, slug_of)
    unit = world.unit if slug_of == "org" else world.other_unit
    found = case(unit, "19121212-1212")
    out, _error = _run("--organisation", organisation.slug)
    assert f"caseload.Case.number: 1 row(s) with an identity number (ids {found.pk})" in out


def test_full_width_and_grouped_numbers_saved_before_are_reported(world):
    wide, grouped, tabbed, near = (case(world.unit, f"BoU-W-01{n}", main=world.bob) for n in range(4))
    full_width = "".join(chr(0xFF10 + int(digit)) if digit.isdigit() else digit for digit in "121212-1212")
    Assignment.objects.filter(case=wide).update(reason=f"Gäller {full_width}")
    Assignment.objects.filter(case=grouped).update(reason="Gäller 12 12 12 - 1212")
    Assignment.objects.filter(case=tabbed).update(reason="Gäller 121212\t--\t1212")
    Assignment.objects.filter(case=near).update(reason="Gäller 12 12 12 - 1213")  # check digit off
    ids = sorted(Assignment.objects.filter(case__in=[wide, grouped, tabbed]).values_list("id", flat=True))
    out, error = _run("--organisation", world.org.slug)
    assert f"caseload.Assignment.reason: 3 row(s) with an identity number (ids {', '.join(map(str, ids))})" in out
    assert error == "3 row(s) to correct: open them by id and remove the identity number or name."


def test_the_newly_guarded_free_texts_and_the_ladder_history_are_scanned(world):
    from competence.models import LadderLevel, PlannedTraining, Training
    from competence.services import ladder_setup_default
    from staff.platform.audit.models import AccessReview
    from surveys.models import ExitInterview, RhythmStep

    ladder_setup_default(organisation=world.org)
    level = LadderLevel.objects.filter(organisation=world.org).order_by("number").first()
    level.expectations = "Som 121212-1212"
    level.save()  # the history keeps it too
    training = Training.objects.filter(organisation=world.org).first()
    Training.objects.filter(pk=training.pk).update(description="För 121212-1212")
    planned = PlannedTraining.objects.create(
        organisation=world.org, staff=world.bob, training=training, goal="12 12 12-1212"
    )
    review = AccessReview.objects.create(
        organisation=world.org,
        key="k",
        month=datetime.date(2026, 3, 1),
        flag="outside_unit",
        comment="121212-1212",
        reviewed_by=world.alice,
    )
    step = RhythmStep.objects.create(
        organisation=world.org,
        unit=world.unit,
        year=2026,
        step=1,
        done_on=datetime.date(2026, 4, 1),
        note="121212\t1212",
        recorded_by=world.alice,
    )
    interview, _glued = (
        ExitInterview.objects.create(
            organisation=world.org,
            staff=person,
            unit=world.unit,
            held_on=datetime.date(2026, 6, 1),
            main_reason="workload",
            answers=answers,
            interviewer=world.erin,
        )
        for person, answers in (
            (world.heidi, {"1": "Bra", "2": "Klienten 121212\n\n1212"}),
            (world.ivan, {"1": "121212", "2": "1212"}),  # each answer alone holds no number; glued together they would
        )
    )
    out, error = _run("--organisation", world.org.slug)
    for label, pk in (
        ("competence.LadderLevel.expectations", level.pk),
        ("competence.HistoricalLadderLevel.expectations", level.pk),
        ("competence.Training.description", training.pk),
        ("competence.PlannedTraining.goal", planned.pk),
        ("staff.AccessReview.comment", review.pk),
        ("surveys.RhythmStep.note", step.pk),
        ("surveys.ExitInterview.answers", interview.pk),
    ):
        assert f"{label}: 1 row(s) with an identity number (ids {pk})\n" in out, label
    assert "121212" not in out and "121212" not in error
