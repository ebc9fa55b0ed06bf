"""Review forms: a worker fills in hers before the meeting, the manager reads the unit's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from staff.models import CASE_WORKER_ROLES
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.formtools import apply_errors

from .. import reviews
from ..forms import ReviewFormForm
from ..models import ReviewForm
from .common import _meeting, _unit_for_manager, _unit_for_viewer


@staff_required(*CASE_WORKER_ROLES)
def review_form(request, pk: int):
    unit = _unit_for_viewer(request, pk)
    staff = request.get_staff()
    if staff.unit_id != unit.pk:
        raise PermissionDenied
    meeting = _meeting(request, unit)
    cases = reviews.review_cases(organisation=request.organisation, staff=staff)
    audit.note(request, cases)  # the form lists the worker's own case numbers
    existing = reviews.review_form_get(organisation=request.organisation, staff=staff, meeting=meeting)
    entries = {e.case_id: e for e in existing.entries.all()} if existing else {}
    initial = {"work_situation": existing.work_situation, "comment": existing.comment} if existing else {}
    form = ReviewFormForm(
        request.POST or None,
        cases=cases,
        situations=ReviewForm.Situation.choices,
        entries=entries,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            reviews.review_form_submit(
                organisation=request.organisation,
                staff=staff,
                meeting=meeting,
                work_situation=form.cleaned_data["work_situation"],
                comment=form.cleaned_data["comment"],
                entries=form.entries(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your review form is submitted."))
            return redirect("caseload:review_form", unit.pk)
    return render(
        request,
        "caseload/meeting/review_form.html",
        {"unit": unit, "form": form, "meeting": meeting, "existing": existing},
    )


@staff_required()
def review_forms_read(request, pk: int):
    """The unit manager reads the submitted review forms in the case review (ärendegenomgång)."""
    unit = _unit_for_manager(request, pk)
    meeting = _meeting(request, unit)
    forms = reviews.submitted_review_forms(organisation=request.organisation, meeting=meeting)
    audit.note(request, [entry.case for form in forms for entry in form.entries.all()])
    status = reviews.review_status(organisation=request.organisation, meeting=meeting)
    missing = [person for person, form in status if form is None]
    return render(
        request,
        "caseload/meeting/review_forms_read.html",
        {"unit": unit, "meeting": meeting, "forms": forms, "missing": missing},
    )
