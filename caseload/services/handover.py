"""A leaver's cases handed over in one go: to each case's co-handler by default, or to chosen people.

Each case goes through `handlers_set`, the work of case_assign: every rule of handlers and levels applies (a
level-1 main handler always has a co-handler, a specialist holds no own cases...), the case's timeline records
the change and the reason, the assignments' history names the person. One refused case refuses all of them:
nothing is saved, and every refusal is named with its case number.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import Access
from staff.models import Organisation, StaffMember
from staff.platform.history.reasons import change_reason
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org
from staff.services import notify

from ..models import Assignment, Case
from ..selectors.handover import HandoverLine, leaver_open_cases
from .cases import handlers_set

DEFAULT = None  # no one chosen for a case: its default (HandoverLine.default)


def may_hand_over(*, access: Access, case: Case) -> bool:
    return access.is_org_admin or access.manages_unit(case.unit_id)


def _stays(person: StaffMember, on: datetime.date) -> bool:
    """Employed on `on` and after it: someone who has left, or whose last day is today, takes no cases."""
    return person.employment_start <= on and (person.employment_end is None or person.employment_end > on)


def _new_handlers(line: HandoverLine, chosen: StaffMember | None) -> tuple[StaffMember | None, StaffMember | None]:
    """(main, co) after the handover of one case."""
    if line.role == Assignment.Role.MAIN:
        if chosen is None:
            return line.co, None  # the co-handler becomes main handler
        return chosen, (line.co if line.co and line.co.pk != chosen.pk else None)
    if chosen is not None and line.main is not None and chosen.pk == line.main.pk:
        return line.main, None
    return line.main, chosen


@transaction.atomic
def cases_hand_over(
    *,
    organisation: Organisation,
    actor: StaffMember,
    access: Access,
    leaver: StaffMember,
    reason: str,
    chosen: dict[int, StaffMember] | None = None,
    on: datetime.date | None = None,
    seen: dict[int, int] | None = None,
) -> list[Case]:
    """Hand every open case of `leaver` that the actor may hand over (the organisation admin: all; a unit
    manager: those of their units); `chosen` maps a case id to the person who takes the leaver's place in it
    (others: the default). All or nothing; the new handlers are notified once each. `seen`: the
    {case id: version} the page showed; any other set of cases or version now refuses the handover."""
    check_same_org(organisation, actor, leaver, *(chosen or {}).values())
    chosen = chosen or {}
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the handover.")})
    refuse_identity_numbers(reason=reason)
    on = on or timezone.localdate()
    if leaver.pk in {person.pk for person in (chosen or {}).values()}:
        raise ValidationError(_("The person who leaves cannot take over their own cases."))
    # Lock the leaver's cases in one order first, then read them: a concurrent assignment waits for the
    # handover, or the handover waits for it and then sees it (and refuses, if the page did not show it).
    held = Assignment.objects.filter(organisation=organisation, staff=leaver, end__isnull=True).values("case_id")
    versions = dict(
        Case.objects.select_for_update()
        .filter(organisation=organisation, pk__in=held)
        .order_by("pk")
        .values_list("pk", "version")
    )
    everything = leaver_open_cases(member=leaver)
    if not everything:
        raise ValidationError(_("%(name)s holds no open cases.") % {"name": leaver.full_name})
    # The actor's share: a unit manager hands over the cases of their units; another unit's manager the rest.
    lines = [line for line in everything if may_hand_over(access=access, case=line.case)]
    if not lines:
        raise ValidationError(
            _("The open cases of %(name)s belong to other units: their managers hand them over.")
            % {"name": leaver.full_name}
        )
    # A case given to the leaver between the lock and the read is not locked: refused as a change, never a 500.
    unlocked = any(line.case.pk not in versions for line in lines)
    if unlocked or (seen is not None and seen != {line.case.pk: versions[line.case.pk] for line in lines}):
        raise ValidationError(
            _(
                "The cases of %(name)s changed while you were handing them over (a case was given or reassigned). "
                "Look at them again and hand them over anew."
            )
            % {"name": leaver.full_name}
        )
    errors: list[str] = []
    taken: dict[int, list[tuple[Case, str]]] = {}
    people: dict[int, StaffMember] = {}
    text = _("Handover from %(name)s, who leaves: %(reason)s") % {"name": leaver.full_name, "reason": reason}
    with change_reason(f"Handover: {leaver.pk}"):
        for line in lines:
            case = line.case
            main, co = _new_handlers(line, chosen.get(case.pk, DEFAULT))
            pairs = ((main, line.main), (co, line.co))
            new = [p for p, held in pairs if p is not None and (held is None or held.pk != p.pk)]
            leaving = [p for p in new if not _stays(p, on)]
            if leaving:
                errors.append(
                    _("Case %(number)s: %(name)s is not employed after %(day)s and cannot take it over.")
                    % {"number": case.number, "name": leaving[0].full_name, "day": on.isoformat()}
                )
                continue
            if main is None:
                errors.append(
                    _("Case %(number)s has no co-handler to take it over: choose who does.") % {"number": case.number}
                )
                continue
            try:
                with transaction.atomic():
                    handlers_set(
                        organisation=organisation,
                        actor=actor,
                        case=case,
                        main=main,
                        co=co,
                        reason=text,
                        expected_version=versions[case.pk],
                        on=on,
                    )
            except ValidationError as exc:
                errors.extend(
                    _("Case %(number)s: %(message)s") % {"number": case.number, "message": message}
                    for message in exc.messages
                )
                continue
            for person, role in ((main, Assignment.Role.MAIN), (co, Assignment.Role.CO)):
                held = (line.main if role == Assignment.Role.MAIN else line.co) if person else None
                if person is not None and (held is None or held.pk != person.pk):
                    people[person.pk] = person
                    taken.setdefault(person.pk, []).append((case, role))
    if errors:
        raise ValidationError(errors)
    assignment_ids = {
        (case_id, role): pk
        for case_id, role, pk in Assignment.objects.filter(
            organisation=organisation, case_id__in=[line.case.pk for line in lines], end__isnull=True
        ).values_list("case_id", "role", "pk")
    }
    for pk, cases in taken.items():
        ids = sorted(assignment_ids[(case.pk, role)] for case, role in cases)
        _notify(organisation=organisation, recipient=people[pk], leaver=leaver, cases=cases, reason=reason, ids=ids)
    return [line.case for line in lines]


def _notify(*, organisation, recipient: StaffMember, leaver: StaffMember, cases, reason: str, ids) -> None:
    roles = {Assignment.Role.MAIN: _("main handler"), Assignment.Role.CO: _("co-handler")}
    listed = ", ".join(f"{case.number} ({roles[role]})" for case, role in cases)
    # One message per new handler and handover: the key names the assignments the handover made.
    signature = ",".join(str(pk) for pk in ids)
    key = f"handover:{leaver.pk}:staff:{recipient.pk}:{hashlib.sha256(signature.encode()).hexdigest()[:16]}"
    notify(
        organisation=organisation,
        recipient=recipient,
        key=key,
        subject=_("Cases handed over to you from %(name)s: %(count)s")
        % {"name": leaver.full_name, "count": len(cases)},
        body=_("%(name)s leaves. You now handle: %(cases)s. Reason: %(reason)s")
        % {"name": leaver.full_name, "cases": listed, "reason": reason},
        url=reverse("caseload:my_caseload"),
        case_refs=[(case.pk, case.unit_id) for case, _role in cases],
    )
