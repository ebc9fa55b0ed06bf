"""The handover page of a leaver's cases (docs/integrations.md, "Leavers and handover").

The person page of the organisation admin comes here after saving an end date for someone who still holds open
cases (staff.navigation.leaver_page, through `nav.leaver_page`): staff never imports caseload.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.formtools import apply_errors
from staff.selectors import staff_get

from .models import Assignment, CaseloadSettings
from .selectors.handover import handover_candidates, leaver_open_cases
from .selectors.load import worker_loads
from .services.handover import cases_hand_over, may_hand_over


class HandoverForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown on each case's timeline and in the new handlers' messages. No names of clients."),
    )

    everyone = forms.TypedChoiceField(
        label=gettext_lazy("Or hand every case where no one is chosen to"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy(
            "Instead of the co-handler: the person takes the leaver's place (main handler or co-handler) in every "
            "case where you choose no one."
        ),
    )

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, lines, candidates, loads=None, **kwargs):
        super().__init__(*args, **kwargs)
        loads = loads or {}
        self.lines = lines
        # The cases and their versions as this page shows them: a case given to the leaver, or reassigned, after
        # the page was opened refuses the handover instead of being handed over unseen.
        self.fields["seen"].initial = seen_text(lines)
        everyone: dict[int, object] = {}
        for people in candidates.values():
            everyone.update((p.pk, p) for p in people)
        self.people = everyone
        self.fields["everyone"].choices = [
            ("", _("No one: each case's default")),
            *(
                (p.pk, _with_load(p, loads))
                for p in sorted(everyone.values(), key=lambda p: (p.last_name, p.first_name, p.pk))
            ),
        ]
        for line in lines:
            default = (
                _("Default: the co-handler %(name)s becomes main handler") % {"name": line.co}
                if line.role == Assignment.Role.MAIN and line.co
                else _("Default: no one (choose a person)")
                if line.role == Assignment.Role.MAIN
                else _("Default: no co-handler")
            )
            people = candidates.get(line.case.unit_id, [])
            field = forms.TypedChoiceField(
                label=_("Takes over in case %(number)s") % {"number": line.case.number},
                choices=[("", default), *((p.pk, _with_load(p, loads)) for p in people)],
                coerce=int,
                empty_value=None,
                required=False,
            )
            field.people = {p.pk: p for p in people}
            self.fields[f"case-{line.case.pk}"] = field
            line.field_name = f"case-{line.case.pk}"

    def chosen(self) -> dict:
        """Case id -> the person chosen for it, or the one chosen for every case, where either was chosen."""
        result = {}
        everyone = self.cleaned_data.get("everyone")
        for line in self.lines:
            field = self.fields[line.field_name]
            value = self.cleaned_data.get(line.field_name)
            if value is not None:
                result[line.case.pk] = field.people[value]
            elif everyone is not None:
                result[line.case.pk] = self.people[everyone]
        return result

    def rows(self):
        return [(line, self[line.field_name]) for line in self.lines]

    def seen_versions(self) -> dict[int, int] | None:
        """{case id: version} as the page showed them; None when the form carried none (an older page)."""
        text = self.cleaned_data.get("seen") or ""
        if not text:
            return None
        try:
            return {int(pk): int(version) for pk, version in (part.split(":") for part in text.split(","))}
        except ValueError:
            return {}  # a damaged field: nothing matches, the handover is refused and the page shown again


def _with_load(person, loads) -> str:
    """The person as a choice, with the load they carry now: whoever takes cases over should not be the one who
    is already over capacity (docs/domain.md section 5, the one measure of load)."""
    load = loads.get(person.pk)
    if load is None:
        return person.full_name
    cases = ngettext("%(count)s open case", "%(count)s open cases", load.cases) % {"count": load.cases}
    if load.percent is None:
        return _("%(name)s (%(cases)s)") % {"name": person.full_name, "cases": cases}
    return _("%(name)s (%(cases)s, %(percent)s %% of capacity)") % {
        "name": person.full_name,
        "cases": cases,
        "percent": load.percent,
    }


def seen_text(lines) -> str:
    return ",".join(f"{line.case.pk}:{line.case.version}" for line in sorted(lines, key=lambda line: line.case.pk))


def _leaver(request, pk: int):
    """The leaver and their open cases that the viewer may hand over, with the others counted per unit.

    The organisation admin hands over every case; a unit manager the cases of their units, from the leaver's
    home unit or from a unit the leaver held cases in before they moved. Another unit's cases are counted, never
    named: their numbers are not the viewer's to read."""
    member = staff_get(organisation=request.organisation, pk=pk)
    access = request.access
    lines = leaver_open_cases(member=member)
    mine, others = [], {}
    for line in lines:
        if may_hand_over(access=access, case=line.case):
            mine.append(line)
        else:
            others[line.case.unit.name] = others.get(line.case.unit.name, 0) + 1
    if not (access.is_org_admin or mine or (member.unit_id and access.manages_unit(member.unit_id))):
        raise PermissionDenied
    audit.note(request, member)
    return member, mine, sorted(others.items())


def _loads(request, candidates) -> dict:
    people = {p.pk: p for unit_people in candidates.values() for p in unit_people}
    loads = worker_loads(
        organisation=request.organisation,
        staff=list(people.values()),
        today=timezone.localdate(),
        settings=CaseloadSettings.for_org(request.organisation),
    )
    return {load.staff.pk: load for load in loads}


@staff_required()
def handover(request, pk: int):
    """The leaver's open cases, each handed to its co-handler unless someone else is chosen; one reason."""
    member, lines, others = _leaver(request, pk)
    audit.note(request, [line.case for line in lines])
    candidates = handover_candidates(member=member, unit_ids={line.case.unit_id for line in lines})
    form = HandoverForm(request.POST or None, lines=lines, candidates=candidates, loads=_loads(request, candidates))
    if request.method == "POST" and lines and form.is_valid():
        try:
            cases = cases_hand_over(
                organisation=request.organisation,
                actor=request.get_staff(),
                access=request.access,
                leaver=member,
                reason=form.cleaned_data["reason"],
                chosen=form.chosen(),
                seen=form.seen_versions(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s case of %(name)s was handed over; the new handler was notified.",
                    "%(count)s cases of %(name)s were handed over; the new handlers were notified.",
                    len(cases),
                )
                % {"count": len(cases), "name": member.full_name},
            )
            return redirect(reverse("caseload:handover", args=[member.pk]))
    status = 400 if request.method == "POST" else 200
    context = {"member": member, "form": form, "lines": lines, "others": others}
    return render(request, "caseload/handover.html", context, status=status)


urlpatterns = [
    path("caseload/people/<int:pk>/handover/", handover, name="handover"),
]
