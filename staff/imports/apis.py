"""REST: the file imports for the city's integration platform (docs/api.md).

POST /api/v1/imports/                   multipart: file, kind, optional mapping (JSON) and dry_run -> the run
GET  /api/v1/imports/{id}/              status, progress, counts and the plans (paginated, ?action=)
POST /api/v1/imports/{id}/apply/        apply a previewed run without errors (202)
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from staff.imports import services
from staff.imports.files import MAX_BYTES
from staff.imports.kinds import Action
from staff.imports.models import ImportRun
from staff.platform.api_base import IsStaffMember, StandardPagination
from staff.platform.tenancy import get_for_org


class MayImport(IsStaffMember):
    """A staff member allowed at least one kind of import (each kind says who may)."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and bool(services.kinds_for(request.get_staff()))


class ImportErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ImportErrorSerializer(serializers.Serializer):
    error = ImportErrorBodySerializer()


def _errors(*codes: int) -> dict:
    texts = {
        400: "Bad input (stable error body, the field named in error.fields)",
        401: "No, a malformed, forged or revoked token",
        403: "The token's person is neither HR nor organisation admin",
        404: "Not found, or a run of another organisation",
    }
    return {code: OpenApiResponse(ImportErrorSerializer, description=texts[code]) for code in codes}


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.CharField(max_length=30)
    mapping = serializers.CharField(required=False, allow_blank=True, help_text="JSON: field key -> column header")
    dry_run = serializers.BooleanField(required=False, default=False)

    def validate_file(self, upload):
        if upload.size > MAX_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload

    def validate_mapping(self, text):
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise serializers.ValidationError(_("Give the mapping as a JSON object of field keys and column names."))
        return value


def run_body(run: ImportRun) -> dict:
    return {
        "id": run.pk,
        "kind": run.kind,
        "filename": run.filename,
        "status": run.status,
        "dry_run": run.dry_run,
        "done": services.progress_of(run),
        "total": run.total,
        "mapping": run.mapping,
        "counts": run.counts,
        "error": run.error,
        "created_at": run.created_at,
        "applied_at": run.applied_at,
        "url": reverse("api-import-run", args=[run.pk]),
    }


def _run_fields() -> dict:
    return {
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "filename": serializers.CharField(),
        "status": serializers.ChoiceField(choices=ImportRun.Status.choices),
        "dry_run": serializers.BooleanField(),
        "done": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "mapping": serializers.DictField(child=serializers.CharField()),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "error": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "applied_at": serializers.DateTimeField(allow_null=True),
        "url": serializers.CharField(),
    }


RUN_SCHEMA = inline_serializer("ImportRun", _run_fields())
RUN_PLANS_SCHEMA = inline_serializer(
    "ImportRunWithPlans",
    {
        **_run_fields(),
        "plans": serializers.ListField(child=serializers.DictField()),
        "plans_count": serializers.IntegerField(),
        "next": serializers.CharField(allow_null=True),
    },
)


def _run(request, pk: str) -> ImportRun:
    """The organisation's run by its id (any other text, a foreign or a missing run: 404 with the stable body)."""
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:  # "³".isdigit() is True, int("³") fails
        raise Http404
    run = get_for_org(ImportRun, organisation=request.organisation, pk=int(pk))
    if run.kind not in {k.key for k in services.kinds_for(request.get_staff())}:
        raise Http404
    return run


class ImportUploadApi(APIView):
    permission_classes = (MayImport,)
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses={201: RUN_SCHEMA, **_errors(400, 401, 403)}
    )
    def post(self, request):
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        staff = request.get_staff()
        kind = services.registry.get(data["kind"])
        if kind is None or not kind.may_import(staff):
            raise exceptions.ValidationError({"kind": [_("Unknown kind of import.")]})
        upload = data["file"]
        run = services.run_create(
            organisation=request.organisation,
            kind_key=kind.key,
            by=staff,
            filename=upload.name,
            data=upload.read(),
            dry_run=data["dry_run"],
            source="api",
        )
        try:
            if data.get("mapping") is not None:
                services.run_set_mapping(run=run, mapping=data["mapping"], by=staff)
            services.preview_start(run=run)
        except ValidationError as exc:
            ImportRun.objects.filter(pk=run.pk).update(file_encrypted="", status=ImportRun.Status.FAILED)
            fields = {f"mapping.{k}": v for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
            raise exceptions.ValidationError(fields or {"mapping": exc.messages}) from exc
        run.refresh_from_db()
        return Response(run_body(run), status=status.HTTP_201_CREATED)


class ImportRunApi(APIView):
    permission_classes = (MayImport,)
    pagination_class = StandardPagination

    @extend_schema(
        parameters=[OpenApiParameter("action", str, enum=Action.values), OpenApiParameter("page", int)],
        responses={200: RUN_PLANS_SCHEMA, **_errors(400, 401, 403, 404)},
    )
    def get(self, request, pk: str):
        run = _run(request, pk)
        action = request.query_params.get("action", "")
        if action and action not in Action.values:
            raise exceptions.ValidationError(
                {"action": [_("Choose one of: %(values)s.") % {"values": ", ".join(Action.values)}]}
            )
        plans = [p for p in run.plans if not action or p["action"] == action]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(plans, request, view=self)
        return Response({**run_body(run), "plans": page, "plans_count": len(plans), "next": paginator.get_next_link()})


class ImportApplyApi(APIView):
    permission_classes = (MayImport,)

    @extend_schema(request=None, responses={202: RUN_SCHEMA, **_errors(400, 401, 403, 404)})
    def post(self, request, pk: str):
        run = _run(request, pk)
        services.apply_start(run=run, by=request.get_staff())
        return Response(run_body(run), status=status.HTTP_202_ACCEPTED)
