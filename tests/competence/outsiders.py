from competence.models import Appointment, IntroductionItem, LadderLevel, ReflectionSession
from competence.services import appointment_create, ladder_setup_default, placement_start
from tests.outsiders import Outsider


def _charlie_on_ladder(w):
    """Beta kommun's ladder with charlie on level 1 (introduction, reflections) and an appointment."""
    import datetime

    ladder_setup_default(organisation=w.other_org)
    level1 = LadderLevel.objects.get(organisation=w.other_org, number=1)
    if not IntroductionItem.objects.filter(staff=w.charlie).exists():
        placement_start(organisation=w.other_org, staff=w.charlie, level=level1, start=w.charlie.employment_start)
        appointment_create(organisation=w.other_org, staff=w.charlie, start=datetime.date(2025, 1, 1))


def _item(w):
    _charlie_on_ladder(w)
    return {"pk": IntroductionItem.objects.filter(staff=w.charlie).first().pk}


def _session(w):
    _charlie_on_ladder(w)
    return {"pk": ReflectionSession.objects.filter(staff=w.charlie).first().pk}


def _appointment(w):
    _charlie_on_ladder(w)
    return {"pk": Appointment.objects.get(staff=w.charlie).pk}


def _level(w):
    _charlie_on_ladder(w)
    return {"pk": LadderLevel.objects.filter(organisation=w.other_org).first().pk}


CHARLIE = lambda w: {"pk": w.charlie.pk}  # noqa: E731

CASES = {
    "competence:staff_detail": Outsider("frank", CHARLIE),
    "competence:promote": Outsider("alice", CHARLIE),
    "competence:place": Outsider("alice", CHARLIE, method="post", data=lambda w: {"level": "1", "start": "2026-01-01"}),
    "competence:introduction_create": Outsider("alice", CHARLIE, method="post"),
    "competence:mentor_add": Outsider("alice", CHARLIE, method="post", data=lambda w: {"mentor": w.carol.pk}),
    "competence:training_add": Outsider("alice", CHARLIE, method="post"),
    "competence:onboarding_undo": Outsider(
        "frank", lambda w: {"pk": w.charlie.pk, "step": "placement"}, method="post", data=lambda w: {"confirm": "1"}
    ),
    "competence:item_done": Outsider("alice", _item, method="post", data=lambda w: {"done_on": "2026-01-01"}),
    "competence:reflection_attendance": Outsider("alice", _session, method="post", data=lambda w: {"attended": "1"}),
    "competence:appointment_renew": Outsider("alice", _appointment, method="post"),
    "competence:level_edit": Outsider("frank", _level),
}
