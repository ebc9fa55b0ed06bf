"""REST for HR: /api/v1/tertials/, /api/v1/reports/tertial/{id}/ (JSON or CSV), /api/v1/turnover/ and
/api/v1/span-of-control/."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from staff.models import Department, Role
from staff.platform.formtools import id_field, query_errors, query_value
from staff.platform.tenancy import get_for_org
from staff.selectors import organisation_structure

from ..permissions import result_viewer
from ..selectors import year_turnover
from . import serializers as s
from .csv_export import TertialCsvRenderer, TertialXlsxRenderer
from .tertial_ids import organisation_tertials, parse_tertial_id, parse_year, year_range
from .tertial_report import tertial_report

HR_ROLES = (Role.HR, Role.ORG_ADMIN)
REPORT_ROLES = (Role.HR, Role.ORG_ADMIN, Role.DEPARTMENT_HEAD)
STATUSES = ("open", "closed", "upcoming")
FORMATS = ("json", "csv", "xlsx")


def _errors(*codes: int) -> dict:
    texts = {
        400: "Bad parameter (stable error body, the field named in error.fields)",
        401: "No, a malformed, forged or revoked token",
        403: "The token's person lacks the role",
        404: "Not found, or an object of another organisation",
    }
    return {code: OpenApiResponse(s.ErrorSerializer, description=texts[code]) for code in codes}


def _choice(request, name: str, choices, message: str) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in choices:
        raise exceptions.ValidationError({name: [message]})
    return raw


def _int_param(request, name: str, message: str) -> int | None:
    if request.query_params.get(name) is None:
        return None
    if query_errors(request.query_params, name, id_field()):
        raise exceptions.ValidationError({name: [message]})
    return query_value(request.query_params, name, id_field())


class TertialListApi(GenericAPIView):
    """The organisation's tertials, newest first: id, status and dates."""

    allowed_roles = REPORT_ROLES
    serializer_class = s.TertialSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(STATUSES), description="open, closed or upcoming"),
            OpenApiParameter("year", int, description="only this year's tertials"),
        ],
        responses={200: s.TertialSerializer(many=True), **_errors(400, 401, 403, 404)},
    )
    def get(self, request):
        today = timezone.localdate()
        status = _choice(request, "status", STATUSES, _("Choose the status open, closed or upcoming."))
        raw_year = request.query_params.get("year")
        year = parse_year(raw_year, today=today) if raw_year is not None else None
        rows = organisation_tertials(organisation=request.organisation, today=today, status=status, year=year)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class TertialReportApi(APIView):
    """A tertial's report for the organisation, its departments and units (department heads: their own)."""

    allowed_roles = REPORT_ROLES
    renderer_classes = [JSONRenderer, TertialCsvRenderer, TertialXlsxRenderer]

    def perform_content_negotiation(self, request, force=False):
        if request.query_params.get("format", "json") not in FORMATS:
            return JSONRenderer(), JSONRenderer.media_type  # get() answers 400 in JSON
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:  # errors are always JSON, even when CSV was asked for
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = request.accepted_renderer
        if response.status_code == 200 and isinstance(renderer, TertialCsvRenderer | TertialXlsxRenderer):
            name = f"tertial-{kwargs.get('tertial', '')}.{renderer.format}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "tertial",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=r"^\d{4}-T[1-3]$",
                description="YYYY-Tn, e.g. 2026-T2",
            ),
            OpenApiParameter(
                "format", str, enum=list(FORMATS), description="csv: one row per unit; xlsx: the same rows"
            ),
            OpenApiParameter("department", int, description="only this department"),
        ],
        responses={
            (200, "application/json"): s.TertialReportSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, TertialXlsxRenderer.media_type): OpenApiTypes.BINARY,
            **_errors(400, 401, 403, 404),
        },
    )
    def get(self, request, tertial: str):
        today = timezone.localdate()
        _choice(request, "format", FORMATS, _("Choose the format json, csv or xlsx."))
        period = parse_tertial_id(tertial, today=today)
        if period.start > today:
            raise exceptions.ValidationError({"tertial": [_("This tertial has not begun yet.")]})
        access = request.access
        department_ids = None if access.has_any(*HR_ROLES) else set(access.department_ids)
        department_pk = _int_param(request, "department", _("Give the department as its id, a whole number."))
        if department_pk is not None:
            department = get_for_org(Department, organisation=request.organisation, pk=department_pk)
            if department_ids is not None and department.pk not in department_ids:
                raise PermissionDenied
            department_ids = {department.pk}
        report = tertial_report(
            organisation=request.organisation,
            tertial=period,
            today=today,
            viewer=result_viewer(access),
            department_ids=department_ids,
            include_organisation=access.has_any(*HR_ROLES) and department_pk is None,
        )
        return Response(s.TertialReportSerializer(report).data)


class TurnoverApi(APIView):
    """A year's turnover (leavers / the mean daily headcount) and consultant months, and each tertial's (among
    the units' staff), counted to today while the year runs."""

    allowed_roles = HR_ROLES

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="default: this year")],
        responses={200: s.TurnoverSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request):
        today = timezone.localdate()
        raw = request.query_params.get("year")
        year = parse_year(raw, today=today) if raw is not None else today.year
        data = year_turnover(organisation=request.organisation, year=year, today=today)
        return Response(s.TurnoverSerializer(data).data)


class SpanOfControlApi(APIView):
    """Today's span of control per manager, unit by unit (department heads: their own departments)."""

    allowed_roles = REPORT_ROLES

    @extend_schema(responses={200: s.SpanOfControlReportSerializer, **_errors(401, 403)})
    def get(self, request):
        access = request.access
        departments = Department.objects.filter(organisation=request.organisation)
        if not access.has_any(*HR_ROLES):
            departments = departments.filter(pk__in=sorted(access.department_ids))
        structure = organisation_structure(organisation=request.organisation, departments=departments)
        units = [summary for _department, summaries in structure for summary in summaries]
        over = {m.staff_id for u in units for m in u.span.over_limit}
        data = {
            "date": timezone.localdate(),
            "limit": request.organisation.span_of_control_limit,
            "guidance": _("Vision recommends 8–10 social workers per first-line manager."),
            "managers_over_limit": len(over),
            "units": units,
        }
        return Response(s.SpanOfControlReportSerializer(data).data)


__all__ = ["SpanOfControlApi", "TertialListApi", "TertialReportApi", "TurnoverApi", "year_range"]
