"""REST views of the staff app."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from staff.permissions import current_staff
from staff.platform.api_base import IsStaffMember, StandardPagination, error_handler  # noqa: F401 - the public names


class MeApi(APIView):
    """The signed-in person (or the token's person): organisation and roles."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "organisation": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        staff = current_staff(request._request)
        roles = [
            {"role": r.role, "unit_id": r.unit_id, "department_id": r.department_id}
            for r in staff.roles.all().order_by("role", "pk")
        ]
        return Response(
            {"id": staff.pk, "name": staff.full_name, "organisation": staff.organisation.name, "roles": roles}
        )
