"""Baseline upload, exit interviews and turnover, the yearly rhythm, navigation and the demo."""

import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from staff.models import Organisation, Unit
from surveys.models import ActionPlan, Answer, Baseline, ExitInterview, RhythmStep, SurveyRound
from surveys.selectors import ORGANISATION_WIDE, tertial_results, turnover
from surveys.tertials import Tertial
from tests.factories import StaffMemberFactory


def _upload(client, text):
    return client.post(reverse("surveys:baseline"), {"file": SimpleUploadedFile("b.csv", text.encode("utf-8"))})


def test_baseline_csv_is_validated_line_by_line_and_nothing_is_saved(world):
    client = world.client("erin")
    bad = "enhet;q1;q2;q3\nUtredning;3,2;3,5;2,9\nOkänd enhet;3;3;3\nMottagning;3;6;3\n"
    html = _upload(client, bad).content.decode()
    assert "Ingenting sparades" in html
    assert "Rad 3: okänd enhet ”Okänd enhet”." in html
    assert "Rad 4: ”6” är inte ett värde från 1 till 5." in html
    assert not Baseline.objects.exists()
    assert _upload(client, "enhet;q1;q2;q3\nUtredning;3,2;3,5;2,9\nMottagning;3;4;3\n").status_code == 302
    assert str(Baseline.objects.get(unit=world.unit).q2) == "3.50"
    # Another organisation's unit name is unknown here.
    html = _upload(client, "Barn och familj;3;3;3\n").content.decode()
    assert "okänd enhet" in html and Baseline.objects.count() == 2


def test_exit_interview_form_and_turnover(world):
    heidi = world.heidi
    heidi.employment_end = datetime.date(2026, 6, 30)
    heidi.save()
    client = world.client("erin")
    form = client.get(reverse("surveys:exit_new")).content.decode()
    assert "Vad hade fått dig att stanna kvar?" in form and "15. Är det något mer du vill tillägga?" in form
    data = {"staff": heidi.pk, "held_on": "2026-06-20", "main_reason": "workload", "a1": "För många ärenden"}
    assert client.post(reverse("surveys:exit_new"), data).status_code == 302
    again = client.post(reverse("surveys:exit_new"), {**data, "staff": heidi.pk})
    assert again.status_code == 200 and ExitInterview.objects.count() == 1
    interview = ExitInterview.objects.get()
    assert interview.answers["1"] == "För många ärenden" and interview.interviewer == world.erin
    page = client.get(reverse("surveys:exits")).content.decode()
    assert "Arbetsbelastning" in page and "Heidi" in page
    rows = turnover(organisation=world.org, tertials=[Tertial(2026, 1), Tertial(2026, 2)])
    # Units' staff: alice, bob, carol, grace, heidi, ivan = 6 at the start of T2, 5 at its end.
    assert (rows[1].leavers, str(rows[1].average_headcount), str(rows[1].rate)) == (1, "5.5", "18.2")
    assert rows[0].leavers == 0
    # A unit manager sees only their own units' interviews; the outsider's people are not offered.
    assert "Heidi" not in world.client("alice").get(reverse("surveys:exits")).content.decode()
    assert "Charlie" not in form
    # No reason is chosen for the interviewer, and dates the interview cannot have are refused at the field.
    assert "Välj huvudorsaken" in form
    ivan = world.ivan
    ivan.employment_end = datetime.date(2026, 8, 31)
    ivan.save()
    for held_on, message in (
        ("1800-01-01", "Ange ett datum mellan åren 1900 och 2100."),
        (str(ivan.employment_start - datetime.timedelta(days=1)), "kan inte hållas innan personens anställning"),
        (str(datetime.date.today() + datetime.timedelta(days=400)), "kan inte ligga mer än ett år fram i tiden"),
    ):
        refused = client.post(reverse("surveys:exit_new"), {**data, "staff": ivan.pk, "held_on": held_on})
        assert refused.status_code == 200 and message in refused.content.decode(), held_on
    refused = client.post(reverse("surveys:exit_new"), {**data, "staff": ivan.pk, "main_reason": ""})
    assert refused.status_code == 200 and ExitInterview.objects.count() == 1


def test_turnover_share_under_two_years(world):
    StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        profession_start=datetime.date(2025, 9, 1),
        employment_start=datetime.date(2025, 9, 1),
    )
    row = turnover(organisation=world.org, tertials=[Tertial(2026, 2)])[0]
    assert str(row.under_two_years) == "14.3"  # 1 of 7


@time_machine.travel(datetime.datetime(2026, 9, 10, 10, 0), tick=False)
def test_yearly_rhythm_is_shown_done_or_due(world):
    client = world.client("alice")
    url = reverse("surveys:unit_results", args=[world.unit.pk])
    html = client.get(url).content.decode()
    assert html.count("Försenat") == 2 and "Att göra" in html
    response = client.post(
        reverse("surveys:rhythm_record", args=[world.unit.pk]),
        {"step": 1, "done_on": "2026-04-20", "note": "APT", "year": 2026},
    )
    assert response.status_code == 302
    assert RhythmStep.objects.get().recorded_by == world.alice
    html = client.get(url).content.decode()
    assert "Klart" in html and html.count("Försenat") == 1
    assert world.client("dave").post(reverse("surveys:rhythm_record", args=[world.unit.pk]), {}).status_code == 403


def test_navigation_by_role(world):
    worker = world.client("bob").get(reverse("staff:my_page")).content.decode()
    assert 'href="/surveys/"' in worker and "Enkätresultat" not in worker
    for name in ("alice", "dave", "erin"):
        html = world.client(name).get(reverse("staff:my_page")).content.decode()
        assert "Enkätresultat" in html, name
    assert world.client("bob").get(reverse("surveys:results")).status_code == 403
    assert world.client("bob").get(reverse("surveys:my_survey")).status_code == 200
    assert "Ingen enkät är öppen för dig" in world.client("bob").get(reverse("surveys:my_survey")).content.decode()


def test_demo_has_closed_rounds_an_open_round_and_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    counts = (SurveyRound.objects.count(), Answer.objects.count(), ActionPlan.objects.count())
    call_command("seed_demo", verbosity=0)
    assert counts == (SurveyRound.objects.count(), Answer.objects.count(), ActionPlan.objects.count())
    demo = Organisation.objects.get(slug="demo")
    rounds = SurveyRound.objects.filter(organisation=demo)
    assert rounds.filter(status="closed").count() == 3 and rounds.filter(status="open").count() == 1
    latest = rounds.filter(status="closed").first()
    results = tertial_results(organisation=demo, survey_round=latest, viewer=ORGANISATION_WIDE)
    placement = Unit.objects.get(organisation=demo, name="Placeringsgruppen")
    assert results.unit_cell(placement.pk).suppressed
    assert ActionPlan.objects.filter(organisation=demo).exists()
    assert Baseline.objects.filter(organisation=demo).count() == 3
    assert ExitInterview.objects.filter(organisation=demo).count() >= 3
    grannby = Organisation.objects.get(slug="grannby")
    assert list(SurveyRound.objects.filter(organisation=grannby).values_list("status", flat=True)) == ["closed"]


def test_csv_export_escapes_formula_cells(world):
    from surveys.services import round_close, round_ensure

    Unit.objects.create(organisation=world.org, department=world.unit.department, name="=HYPERLINK(1)")
    survey_round = round_ensure(organisation=world.org, tertial=Tertial(2026, 3))
    round_close(organisation=world.org, survey_round=survey_round, now=survey_round.closes_at)
    text = world.client("erin").get(reverse("surveys:round_export", args=[survey_round.pk])).content.decode()
    assert "Enhet;'=HYPERLINK(1)" in text
    assert "\nEnhet;=HYPERLINK" not in text
    from tests.xlsx import assert_same_rows, csv_rows, sheet

    client = world.client("erin")
    url = reverse("surveys:round_export", args=[survey_round.pk])
    cells = sheet(client.get(url, {"format": "xlsx"}))
    assert_same_rows(csv_rows(client.get(url)), cells)
    assert ("=HYPERLINK(1)", "s") in [(c.value, c.data_type) for row in cells for c in row]
    assert client.get(url, {"format": "json"}).status_code == 400


def test_short_interval_command_schedules_and_refuses_close_before_open(world):
    import pytest
    from django.core.management.base import CommandError

    call_command("survey_round_schedule", organisation="alfa", tertial="2027-1", verbosity=0)
    survey_round = SurveyRound.objects.get(organisation=world.org, year=2027, tertial=1)
    assert survey_round.opens_at < survey_round.first_reminder_at < survey_round.final_reminder_at
    assert survey_round.final_reminder_at < survey_round.closes_at
    with pytest.raises(CommandError, match="Omgången måste stänga efter att den öppnar"):
        call_command("survey_round_schedule", organisation="alfa", tertial="2027-2", opens_in=5, closes_in=2)
    assert not SurveyRound.objects.filter(year=2027, tertial=2).exists()


def test_exit_interview_list_searches_sorts_and_counts_queries(world, django_assert_max_num_queries):
    from surveys.models import ExitInterview

    for name, day in (("bob", 3), ("carol", 1), ("heidi", 2)):
        ExitInterview.objects.create(
            organisation=world.org,
            staff=world.people[name],
            unit=world.people[name].unit,
            held_on=datetime.date(2026, 3, day),
            main_reason="salary",
            interviewer=world.erin,
        )
    client = world.client("erin")
    # includes the access-log row and, on PostgreSQL, setting and resetting the organisation (row-level security)
    with django_assert_max_num_queries(22):
        html = client.get(reverse("surveys:exits") + "?sort=held_on").content.decode()
    assert html.index("Carol") < html.index("Heidi") < html.index("Bob")
    found = client.get(reverse("surveys:exits") + "?q=heid").content.decode()
    assert "Heidi" in found and "Carol Testsson" not in found
