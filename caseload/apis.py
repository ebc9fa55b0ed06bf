"""REST reads: the signed-in worker's own caseload and a manager's unit overview, scoped like the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from staff.platform import audit
from staff.selectors import unit_get

from . import selectors
from .serializers import MyCaseloadSerializer, UnitOverviewSerializer


class MyCaseloadApi(APIView):
    @extend_schema(responses=MyCaseloadSerializer)
    def get(self, request):
        today = timezone.localdate()
        data = selectors.my_caseload(organisation=request.organisation, staff=request.get_staff(), today=today)
        audit.note(request, [row.case for row in data.rows])
        return Response(
            MyCaseloadSerializer(
                {
                    "date": today,
                    "load": data.load.as_dict(),
                    "closed_target": data.closed_target,
                    "cases": [row.as_dict() for row in data.rows],
                }
            ).data
        )


class UnitOverviewApi(APIView):
    @extend_schema(responses=UnitOverviewSerializer)
    def get(self, request, pk: int):
        unit = unit_get(organisation=request.organisation, pk=pk)
        if not request.access.may_view_unit(unit):
            raise PermissionDenied
        today = timezone.localdate()
        data = selectors.unit_dashboard(organisation=request.organisation, unit=unit, today=today)
        audit.note(request, [d.investigation.case for d in data.at_risk])  # the case numbers it returns
        return Response(
            UnitOverviewSerializer(
                {
                    "date": today,
                    "unit": {"id": unit.pk, "name": unit.name},
                    "workers": [w.as_dict() for w in data.loads],
                    "at_risk": [
                        {**d.as_dict(), "case_id": d.investigation.case_id, "case_number": d.investigation.case.number}
                        for d in data.at_risk
                    ],
                    "at_risk_total": data.at_risk_total,
                    "co_handler_coverage": {
                        "open_cases": data.coverage.open_cases,
                        "with_co_handler": data.coverage.with_co_handler,
                        "percent": data.coverage.percent,
                        "target_percent": data.coverage.target_percent,
                        "meets_target": data.coverage.meets_target,
                    },
                    "span_of_control": {
                        "case_workers": data.span.case_workers,
                        "managers": data.span.managers,
                        "limit": data.span.limit,
                    },
                    "awaiting_allocation": data.awaiting,
                }
            ).data
        )
