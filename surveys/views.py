"""Survey pages: answer, own history, results (unit, comparison, CSV), action plans (offer, list, read, edit and
follow up), baseline, exits, settings."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Role
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.exports import bad_format_response, export_format, table_response
from staff.platform.formtools import apply_errors, paginate, query_id, sort_param, year_or_none
from staff.platform.history.display import history_for_request
from surveys import trust

from . import selectors, services
from .forms import (
    ActionPlanEditForm,
    ActionPlanFilterForm,
    ActionPlanForm,
    AnswerForm,
    BaselineUploadForm,
    ExitInterviewForm,
    RhythmStepForm,
    RoundScheduleForm,
    SurveySettingsForm,
)
from .models import QUESTIONS, ExitInterview, SurveyRound
from .permissions import (
    EXIT_INTERVIEWERS,
    ORGANISATION_VIEWERS,
    RESULT_VIEWERS,
    result_viewer,
    sees_action_plan,
    sees_all_exits,
    sees_individual_answers,
    sees_unit_results,
)
from .tertials import Tertial


@staff_required()
def my_survey(request):
    """A case worker's page: the open round (if invited), their past answers and action plans."""
    staff = request.get_staff()
    return render(
        request,
        "surveys/my_survey.html",
        {
            "open_round": selectors.open_round_for(staff=staff),
            "answers": selectors.my_answers(staff=staff),
            "plans": selectors.my_action_plans(staff=staff),
            "questions": QUESTIONS,
        },
    )


@staff_required()
def answer(request, pk: int):
    staff = request.get_staff()
    survey_round = selectors.round_get(organisation=request.organisation, pk=pk)
    existing = survey_round.answers.filter(staff=staff).first()  # not in the access log: see the registry
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.answer_submit(
                    organisation=request.organisation,
                    survey_round=survey_round,
                    staff=staff,
                    scores={k: form.cleaned_data[k] for k, _l in QUESTIONS},
                    motivations={f"m{k[1]}": form.cleaned_data[f"m{k[1]}"] for k, _l in QUESTIONS},
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Thank you! Your answer is saved. You may change it until the survey closes.")
                )
                return redirect("surveys:my_survey")
    else:
        initial = {}
        if existing:
            initial = {f: getattr(existing, f) for f in ("q1", "q2", "q3", "m1", "m2", "m3")}
        form = AnswerForm(initial=initial)
    invited = survey_round.invitations.filter(staff=staff).exists()
    return render(
        request,
        "surveys/answer.html",
        {"round": survey_round, "form": form, "existing": existing, "invited": invited},
    )


@staff_required(*RESULT_VIEWERS)
def results_home(request):
    access = request.access
    org = request.organisation
    from staff.models import Unit

    units = Unit.objects.filter(organisation=org).select_related("department")
    if not access.has_any(*ORGANISATION_VIEWERS):
        units = [u for u in units if sees_unit_results(access, u)]
    return render(
        request,
        "surveys/results_home.html",
        {
            "rounds": selectors.rounds(organisation=org),
            "units": units,
            "may_export": access.has_any(*ORGANISATION_VIEWERS),
            "may_admin": access.has_any(*ORGANISATION_VIEWERS),
            "may_follow_plans": bool(access.managed_unit_ids),
        },
    )


@staff_required(*RESULT_VIEWERS)
def round_results(request, pk: int):
    org = request.organisation
    survey_round = selectors.round_get(organisation=org, pk=pk)
    results = None  # an open round publishes nothing: two loads around one answer would tell it
    if survey_round.status == SurveyRound.Status.CLOSED:
        viewer = result_viewer(request.access)
        results = selectors.tertial_results(organisation=org, survey_round=survey_round, viewer=viewer)
    return render(
        request,
        "surveys/round_results.html",
        {
            "round": survey_round,
            "results": results,
            "questions": QUESTIONS,
            "may_export": request.access.has_any(*ORGANISATION_VIEWERS),
        },
    )


@staff_required(*ORGANISATION_VIEWERS)
def round_export(request, pk: int):
    """A closed round's aggregates as CSV or, with ?format=xlsx, as an Excel file: the same rows, the same
    suppression (a cell below the minimum number of respondents shows nothing but that it is suppressed)."""
    fmt = export_format(request)
    if fmt is None:
        return bad_format_response()
    org = request.organisation
    survey_round = selectors.round_get(organisation=org, pk=pk)
    if survey_round.status != SurveyRound.Status.CLOSED:
        raise Http404("no results before the round closes")
    viewer = result_viewer(request.access)
    results = selectors.tertial_results(organisation=org, survey_round=survey_round, viewer=viewer)
    header = [_("Level"), _("Name"), _("Invited"), _("Respondents"), _("Response rate (%)")]
    for number, _question in enumerate(QUESTIONS, start=1):
        header += [_("Question %(n)s mean") % {"n": number}]
        header += [_("Question %(n)s = %(value)s") % {"n": number, "value": v} for v in range(1, 6)]
    header += [_("Employees (social workers and specialists)"), _("Open cases"), _("Cases per employee")]
    header += [_("Weighted cases")]
    table = [header]
    kinds = {"organisation": _("Organisation"), "department": _("Department"), "unit": _("Unit")}
    rows = [results.organisation] if results.organisation else []
    for dept in results.departments:
        rows += [dept.cell, *dept.units]
    for cell in rows:
        line = [kinds[cell.kind], cell.name]
        if cell.suppressed:
            line += [_("suppressed (too few respondents)")] + [""] * (3 + 6 * len(QUESTIONS))
        else:
            line += [cell.invited, cell.respondents, cell.response_rate]
            for stats in cell.questions:
                line += [stats.mean, *stats.distribution]
        snapshot = results.snapshots.get(cell.pk) if cell.kind == "unit" else None
        line += (
            [snapshot.employees, snapshot.open_cases, snapshot.cases_per_employee, snapshot.weighted_cases]
            if snapshot
            else ["", "", "", ""]
        )
        table.append(line)
    return table_response(
        table,
        filename=f"enkat-{survey_round.year}-T{survey_round.tertial}",
        fmt=fmt,
        sheet_title=f"{survey_round.year}-T{survey_round.tertial}",
    )


def _year(raw: str | None) -> int:
    """A year from the address or form, this year for anything else (year 0 or 9999 included)."""
    return year_or_none(raw) or timezone.localdate().year


@staff_required(*RESULT_VIEWERS)
def unit_results(request, pk: int):
    org = request.organisation
    unit = selectors.unit_get(organisation=org, pk=pk)
    access = request.access
    if not sees_unit_results(access, unit):
        raise PermissionDenied
    individual = sees_individual_answers(access, unit)
    all_rounds = list(selectors.rounds(organisation=org))
    chosen = None
    if round_pk := query_id(request, "round"):
        chosen = selectors.round_get(organisation=org, pk=round_pk)
    elif all_rounds:
        chosen = next((r for r in all_rounds if r.status == SurveyRound.Status.CLOSED), all_rounds[0])
    viewer = result_viewer(access)
    context = {
        "unit": unit,
        "rounds": all_rounds,
        "round": chosen,
        "individual": individual,
        "questions": QUESTIONS,
        "trend": selectors.unit_trend(organisation=org, unit=unit, viewer=viewer, individual=individual),
    }
    if chosen is not None and chosen.status == SurveyRound.Status.CLOSED:  # nothing, not even raw, while open
        if individual:
            context["cell"] = selectors.unit_raw_cell(organisation=org, survey_round=chosen, unit=unit)
            context["answers"] = list(selectors.unit_answers(organisation=org, survey_round=chosen, unit=unit))
            audit.note(request, context["answers"])
        else:
            results = selectors.tertial_results(organisation=org, survey_round=chosen, viewer=viewer)
            context["cell"] = results.unit_cell(unit.pk)  # None: the unit lay outside the viewer's departments
        context["snapshot"] = chosen.snapshots.filter(unit=unit).first()
    year = _year(request.GET.get("year"))
    context["year"] = year
    context["rhythm"] = selectors.rhythm_status(organisation=org, unit=unit, year=year, today=timezone.localdate())
    context["rhythm_form"] = RhythmStepForm(initial={"done_on": timezone.localdate()}) if individual else None
    return render(request, "surveys/unit_results.html", context)


@staff_required(Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER)
def rhythm_record(request, pk: int):
    org = request.organisation
    unit = selectors.unit_get(organisation=org, pk=pk)
    if not sees_individual_answers(request.access, unit):
        raise PermissionDenied
    form = RhythmStepForm(request.POST or None)
    year = _year(request.POST.get("year"))
    if request.method == "POST" and form.is_valid():
        try:
            services.rhythm_step_record(
                organisation=org, unit=unit, year=year, recorded_by=request.get_staff(), **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The step is recorded."))
    elif request.method == "POST":
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("surveys:unit_results", args=[unit.pk]) + f"?year={year}")


@staff_required(Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER)
def action_plan(request, pk: int):
    org = request.organisation
    answer_obj = selectors.answer_get(organisation=org, pk=pk)
    if not sees_individual_answers(request.access, answer_obj.unit):
        raise PermissionDenied
    if answer_obj.round.status != SurveyRound.Status.CLOSED:  # answers are read once the round has closed
        raise Http404("the round is open")
    audit.note(request, answer_obj)
    form = ActionPlanForm(request.POST or None, initial={"follow_up_on": timezone.localdate() + datetime.timedelta(30)})
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_offer(
                organisation=org, answer=answer_obj, offered_by=request.get_staff(), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The action plan is recorded and shown to %(name)s.") % {"name": answer_obj.staff}
            )
            return redirect(
                reverse("surveys:unit_results", args=[answer_obj.unit_id]) + f"?round={answer_obj.round_id}"
            )
    return render(request, "surveys/action_plan.html", {"answer": answer_obj, "form": form})


PLAN_SORTS = {
    "follow_up": "follow_up_on",
    "name": "staff__last_name",
    "unit": "answer__unit__name",
    "round": "answer__round__opens_at",
    "offered": "created_at",
    "closed": "closed_at",
}


@staff_required(Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER)
def action_plans(request):
    """The action plans of the units the person manages: open, overdue, closed or all, sorted and paged."""
    org = request.organisation
    unit_ids = request.access.managed_unit_ids
    form = ActionPlanFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    state = (form.cleaned_data.get("state") if form.is_bound and valid else "") or selectors.PlanState.OPEN
    today = timezone.localdate()
    sort, order_by = sort_param(request, PLAN_SORTS, "follow_up")
    plans = selectors.action_plans(organisation=org, unit_ids=unit_ids, state=state, today=today)
    page = paginate(request, plans.order_by(order_by, "pk"))
    audit.note(request, [(plan.answer_id, plan.answer.unit_id) for plan in page], kind="survey_answer")
    return render(
        request,
        "surveys/action_plans.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "state": state,
            "states": selectors.PlanState,
            "counts": selectors.action_plan_counts(organisation=org, unit_ids=unit_ids, today=today),
            "today": today,
        },
        status=200 if valid else 400,
    )


def _plan_for(request, pk: int):
    """The plan, for the managers of its answer's unit only (another organisation's: 404; another unit's: 403)."""
    plan = selectors.action_plan_get(organisation=request.organisation, pk=pk)
    if not sees_action_plan(request.access, plan):
        raise PermissionDenied
    audit.note(request, [(plan.answer_id, plan.answer.unit_id)], kind="survey_answer")
    return plan


@staff_required(Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER)
def action_plan_detail(request, pk: int):
    plan = _plan_for(request, pk)
    return render(
        request, "surveys/action_plan_detail.html", {"plan": plan, "answer": plan.answer, "today": timezone.localdate()}
    )


@staff_required(Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER)
def action_plan_edit(request, pk: int):
    plan = _plan_for(request, pk)
    initial = {
        "actions": plan.actions,
        "follow_up_on": plan.follow_up_on,
        "outcome": plan.outcome,
        "closed": plan.is_closed,
    }
    form = ActionPlanEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_update(
                organisation=request.organisation, plan=plan, changed_by=request.get_staff(), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            closed = form.cleaned_data["closed"]
            messages.success(request, _("The action plan is closed.") if closed else _("The action plan is saved."))
            return redirect("surveys:action_plan_detail", pk=plan.pk)
    return render(request, "surveys/action_plan_edit.html", {"plan": plan, "form": form})


@staff_required(*ORGANISATION_VIEWERS)
def baseline(request):
    org = request.organisation
    form = BaselineUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = raw.decode("cp1252", errors="replace")
        try:
            count = services.baseline_import(organisation=org, content=content)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(count)s units imported.") % {"count": count})
            return redirect("surveys:baseline")
    return render(
        request,
        "surveys/baseline.html",
        {"form": form, "errors": errors, "baselines": selectors.baselines(organisation=org)},
    )


@staff_required(*EXIT_INTERVIEWERS, Role.DEPARTMENT_HEAD)
def exits(request):
    org = request.organisation
    access = request.access
    interviews = selectors.exit_interviews(organisation=org)
    if not sees_all_exits(access):
        interviews = interviews.filter(unit_id__in=access.managed_unit_ids | _dept_units(org, access))
    query = request.GET.get("q", "").strip()
    if query:
        interviews = interviews.filter(Q(staff__first_name__icontains=query) | Q(staff__last_name__icontains=query))
    sort, order_by = sort_param(
        request,
        {"held_on": "held_on", "name": "staff__last_name", "unit": "unit__name", "reason": "main_reason"},
        "-held_on",
    )
    interviews = interviews.order_by(order_by, "pk")
    today = timezone.localdate()
    current = Tertial.of(today)
    tertials = [current]
    for _i in range(5):
        tertials.insert(0, tertials[0].previous())
    sees_all = sees_all_exits(access)
    reasons = selectors.leaving_reasons_per_year(organisation=org) if sees_all else {}
    years, turnover = (
        selectors.turnover_report(organisation=org, years=[today.year, today.year - 1], tertials=tertials, today=today)
        if sees_all
        else ([], [])
    )
    page = paginate(request, interviews)
    audit.note(request, page)
    return render(
        request,
        "surveys/exits.html",
        {
            "page": page,
            "sort": sort,
            "query": query,
            "reasons": reasons,
            "reason_choices": ExitInterview.Reason.choices,
            "years": years,
            "turnover": turnover,
            "may_record": access.has_any(*EXIT_INTERVIEWERS),
        },
    )


def _dept_units(org, access) -> frozenset[int]:
    from staff.models import Unit

    return frozenset(
        Unit.objects.filter(organisation=org, department_id__in=access.department_ids).values_list("pk", flat=True)
    )


@staff_required(*EXIT_INTERVIEWERS)
def exit_new(request):
    org = request.organisation
    access = request.access
    unit_ids = None if sees_all_exits(access) else access.managed_unit_ids
    candidates = selectors.leaving_candidates(organisation=org, unit_ids=unit_ids)
    form = ExitInterviewForm(request.POST or None, candidates=candidates, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.exit_interview_record(
                organisation=org,
                staff=form.cleaned_data["staff"],
                interviewer=request.get_staff(),
                held_on=form.cleaned_data["held_on"],
                main_reason=form.cleaned_data["main_reason"],
                answers=form.answers(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The exit interview is recorded."))
            return redirect("surveys:exits")
    return render(request, "surveys/exit_new.html", {"form": form})


@staff_required(*ORGANISATION_VIEWERS)
def survey_admin(request):
    org = request.organisation
    settings_obj = services.survey_settings_get(organisation=org)
    form = SurveySettingsForm(
        request.POST or None, instance=settings_obj, may_set_threshold=request.access.is_org_admin
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_settings_update(organisation=org, changed_by=request.get_staff(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The survey settings are saved."))
            return redirect("surveys:admin")
    return render(
        request,
        "surveys/admin.html",
        {
            "form": form,
            "page": paginate(request, selectors.rounds(organisation=org)),
            "history": history_for_request(request, trust.survey_settings_history()),
        },
    )


@staff_required(*ORGANISATION_VIEWERS)
def round_edit(request, pk: int):
    org = request.organisation
    survey_round = selectors.round_get(organisation=org, pk=pk)
    tz = timezone.get_current_timezone()
    initial = {
        "opens_at": timezone.localtime(survey_round.opens_at, tz).replace(tzinfo=None),
        "closes_at": timezone.localtime(survey_round.closes_at, tz).replace(tzinfo=None),
    }
    form = RoundScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_schedule(
                organisation=org,
                tertial=Tertial(survey_round.year, survey_round.tertial),
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The round is rescheduled."))
            return redirect("surveys:admin")
    return render(request, "surveys/round_edit.html", {"round": survey_round, "form": form})
