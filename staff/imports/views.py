"""The import pages (organisation admin or HR, as each kind's `may_import` says): the runs, the upload, the
mapping of the columns, the preview with its progress, and the apply."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.imports import services
from staff.imports.forms import MappingForm, UploadForm
from staff.imports.kinds import Action
from staff.imports.models import ImportRun
from staff.permissions import staff_required
from staff.platform.formtools import apply_errors, confirm_page, paginate, query_page
from staff.platform.tenancy import get_for_org


def import_required(view):
    """Signed in with a staff record, and allowed at least one kind of import (each kind says who may)."""

    @staff_required()
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.kinds_for(request.get_staff()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


PLANS_PER_PAGE = 50


def _kinds(request):
    return services.kinds_for(request.get_staff())


def _run(request, pk: int, *, light: bool = False) -> ImportRun:
    """The organisation's run of a kind the viewer may import; any other answers 404. `light`: without the plans
    and the file (the progress bar's status, asked every second while 10 000 plans may be stored)."""
    runs = ImportRun.objects.select_related("uploaded_by", "applied_by")
    if light:
        runs = runs.defer("plans", "file_encrypted")
    run = get_for_org(runs, organisation=request.organisation, pk=pk)
    if run.kind not in {k.key for k in _kinds(request)}:
        raise Http404
    return run


@import_required
def run_list(request):
    kinds = _kinds(request)
    labels = {k.key: k.label for k in kinds}
    runs = ImportRun.objects.filter(organisation=request.organisation, kind__in=list(labels)).select_related(
        "uploaded_by"
    )
    kind = request.GET.get("kind", "")
    if kind in labels:
        runs = runs.filter(kind=kind)
    else:
        kind = ""
    page = paginate(request, runs.defer("plans", "file_encrypted").order_by("-created_at", "-pk"))
    for run in page:
        run.kind_label = labels.get(run.kind, run.kind)
    return render(request, "staff/imports/list.html", {"page": page, "kinds": kinds, "kind": kind})


@import_required
def upload(request):
    kinds = _kinds(request)
    if not kinds:
        raise Http404
    form = UploadForm(
        request.POST or None, request.FILES or None, kinds=kinds, initial={"kind": request.GET.get("kind")}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.run_create(
                    organisation=request.organisation,
                    kind_key=data["kind"],
                    by=request.get_staff(),
                    filename=data["file"].name,
                    data=data["file"].read(),
                    dry_run=data["dry_run"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("staff:import_mapping", pk=run.pk)
        status = 400
    return render(request, "staff/imports/upload.html", {"form": form}, status=status)


@import_required
def mapping(request, pk: int):
    run = _run(request, pk)
    kind = services.kind_get(run.kind)
    if run.status not in (ImportRun.Status.UPLOADED, ImportRun.Status.PREVIEWED) or not run.file_encrypted:
        return redirect("staff:import_detail", pk=run.pk)
    form = MappingForm(request.POST or None, kind=kind, headers=run.headers, initial_mapping=run.mapping)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.run_set_mapping(run=run, mapping=form.mapping(), by=request.get_staff())
                services.preview_start(run=run)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("staff:import_detail", pk=run.pk)
        status = 400
    return render(request, "staff/imports/mapping.html", {"run": run, "kind": kind, "form": form}, status=status)


def _filtered_plans(request, run: ImportRun):
    action = request.GET.get("action", "")
    if action and action not in Action.values:
        return None, action
    plans = [p for p in run.plans if not action or p["action"] == action]
    return Paginator(plans, PLANS_PER_PAGE).get_page(query_page(request)), action


@import_required
def detail(request, pk: int):
    run = _run(request, pk)
    kind = services.kind_get(run.kind)
    page, action = _filtered_plans(request, run)
    status = 200
    if page is None:
        messages.error(request, _("Unknown action: showing every row."))
        page, action, status = Paginator(run.plans, PLANS_PER_PAGE).get_page(1), "", 400
    labels = {f.key: f.label for f in kind.fields}
    for plan in page:
        plan["change_list"] = [(labels.get(k, k), before, after) for k, (before, after) in plan["changes"].items()]
    counts = [(value, label, run.counts.get(value, 0)) for value, label in Action.choices if run.counts.get(value)]
    context = {
        "run": run,
        "kind": kind,
        "page": page,
        "action": action,
        "counts": counts,
        "progress": services.progress_of(run),
        "running": run.status in (ImportRun.Status.PREVIEWING, ImportRun.Status.APPLYING),
        "may_apply": run.status == ImportRun.Status.PREVIEWED
        and not run.dry_run
        and (not run.counts.get(Action.ERROR) or services.applies_with_errors(kind))
        and bool(run.file_encrypted),
    }
    return render(request, "staff/imports/detail.html", context, status=status)


@import_required
def run_status(request, pk: int):
    run = _run(request, pk, light=True)
    done = services.progress_of(run)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "done": done,
            "total": run.total,
            "percent": 100 if not run.total else min(100, round(100 * done / run.total)),
            "counts": run.counts,
        }
    )


@import_required
@require_POST
def apply(request, pk: int):
    run = _run(request, pk)
    if request.POST.get("confirm") != "1":
        changes = sum(n for a, n in run.counts.items() if a not in (Action.UNCHANGED, Action.ERROR))
        return confirm_page(
            request,
            title=_("Apply the import"),
            question=_("Apply %(file)s? %(changes)s rows change Stabil's records; this is not undone by a click.")
            % {"file": run.filename, "changes": changes},
            label=_("Apply"),
            cancel_url=reverse("staff:import_detail", args=[run.pk]),
            danger=False,
        )
    try:
        services.apply_start(run=run, by=request.get_staff())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The import is being applied."))
    return redirect("staff:import_detail", pk=run.pk)


urlpatterns = [
    path("imports/", run_list, name="imports"),
    path("imports/new/", upload, name="import_upload"),
    path("imports/<int:pk>/", detail, name="import_detail"),
    path("imports/<int:pk>/mapping/", mapping, name="import_mapping"),
    path("imports/<int:pk>/status/", run_status, name="import_status"),
    path("imports/<int:pk>/apply/", apply, name="import_apply"),
]
