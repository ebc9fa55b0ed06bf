"""REST: GET /api/v1/supplements/?month=YYYY-MM, the monthly supplement report for payroll.

A GET by HR or the organisation admin is payroll's export: a month that has ended is frozen by it
(competence/services/supplements.py), and the rows it returned are what the report gives from then on;
the running month is a preliminary report. Corrections of earlier months are listed apart.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from staff.models import Role
from staff.platform.formtools import parse_month

from . import selectors, services
from .serializers import SupplementReportSerializer


class SupplementReportApi(APIView):
    allowed_roles = (Role.HR, Role.DEPARTMENT_HEAD, Role.ORG_ADMIN)
    serializer_class = SupplementReportSerializer

    def get(self, request):
        raw = request.query_params.get("month", "")
        month = parse_month(raw)
        if month is None:
            raise exceptions.ValidationError({"month": [_("Give the month as YYYY-MM, for example 2026-03.")]})
        access = request.access
        unit_ids = None if access.has_any(Role.HR, Role.ORG_ADMIN) else selectors.visible_unit_ids(access=access)
        if access.has_any(*services.FREEZERS):
            services.supplement_month_exported(organisation=request.organisation, month=month, by=request.get_staff())
        report = selectors.supplement_report(organisation=request.organisation, month=month, unit_ids=unit_ids)
        return Response(self.serializer_class(report).data)
