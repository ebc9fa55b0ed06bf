"""`/scim/v2/`: Users, Groups and the discovery endpoints (RFC 7644), on DRF, answering application/scim+json.

Every answer is a SCIM resource or a SCIM error body; a refused request saves nothing (ATOMIC_REQUESTS, rolled
back by the error handler). Changes are recorded under the token's name: history rows get the reason
"SCIM: <token name>", the access log a row with the token (channel "scim", staff.platform.audit.middleware)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from staff.models import StaffMember
from staff.platform import audit
from staff.platform.history.reasons import change_reason
from staff.scim import resources as res
from staff.scim import schemas
from staff.scim import services as scim
from staff.scim.authentication import HasScimToken, ScimTokenAuthentication
from staff.scim.models import ScimGroup, ScimGroupMember
from staff.scim.resources import ScimError, invalid_path, invalid_value

MAX_RESULTS = 200  # RFC 7644 3.4.2.4: the most a page holds, also with a larger count (ServiceProviderConfig)
USER_FILTERS = {"username": "user__username__iexact", "externalid": "external_id", "id": "pk"}
GROUP_FILTERS = {"displayname": "display_name__iexact", "externalid": "external_id", "id": "pk"}


class ScimRenderer(JSONRenderer):
    media_type = "application/scim+json"
    format = "scim"
    charset = "utf-8"


class ScimParser(JSONParser):
    media_type = "application/scim+json"


class AlwaysScim(BaseContentNegotiation):
    """SCIM answers application/scim+json whatever the Accept header says (clients send */* or application/json)."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip().lower() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def scim_error_handler(exc, context):
    if isinstance(exc, ScimError):
        error = exc
    elif isinstance(exc, scim.Conflict):
        error = ScimError(409, str(exc), "uniqueness")
    elif isinstance(exc, DjangoValidationError):
        error = invalid_value(" ".join(exc.messages))
    elif isinstance(exc, Http404 | exceptions.NotFound):
        error = ScimError(404, _("Resource not found."))
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        error = ScimError(401, _("Invalid or revoked SCIM token."))
    elif isinstance(exc, exceptions.ParseError):
        error = ScimError(400, _("The request body is not valid JSON."), "invalidSyntax")
    elif isinstance(exc, IntegrityError):
        error = ScimError(409, _("The resource conflicts with an existing one."), "uniqueness")
    elif isinstance(exc, DataError):
        error = invalid_value(_("A value is out of range."))
    elif isinstance(exc, exceptions.APIException):
        error = ScimError(exc.status_code, str(exc.detail))
    else:
        return None
    set_rollback()
    response = Response(error.body(), status=error.status)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    return response


class ScimView(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [HasScimToken]
    renderer_classes = [ScimRenderer]
    parser_classes = [ScimParser, JSONParser]
    content_negotiation_class = AlwaysScim
    throttle_classes: list = []
    schema = None

    def get_exception_handler(self):
        return scim_error_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.token = request.auth
        self.organisation = self.token.organisation
        self._reason = change_reason(f"SCIM: {self.token.name}")
        self._reason.__enter__()
        if request.method in ("POST", "PUT", "PATCH") and _holds_nul(request.data):
            # PostgreSQL text cannot hold a NUL character: refused here, for every attribute at once.
            raise invalid_value(_("A value must not contain a NUL character."))

    def finalize_response(self, request, response, *args, **kwargs):
        reason, self._reason = getattr(self, "_reason", None), None
        if reason is not None:
            reason.__exit__(None, None, None)
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _int_param(request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise invalid_value(_("%(name)s must be a whole number.") % {"name": name}) from None


def _paged(request, qs, filters: dict[str, str]):
    """(page, total, startIndex) of `qs` under the request's filter, startIndex and count (RFC 7644 3.4.2)."""
    found = res.parse_filter(request.query_params.get("filter"), filters)
    if found is not None:
        lookup, value = found
        if lookup == "pk" and not ((value.isascii() and value.isdecimal()) and len(value) < 19):
            qs = qs.none()
        else:
            qs = qs.filter(**{lookup: value})
    start = max(1, _int_param(request, "startIndex", 1))
    count = min(max(0, _int_param(request, "count", MAX_RESULTS)), MAX_RESULTS)
    if start > 2**62:
        raise invalid_value(_("startIndex is too large."))
    total = qs.count()
    page = list(qs[start - 1 : start - 1 + count]) if count else []
    return page, total, start


def _pk(value: str) -> int:
    if not (value.isascii() and value.isdecimal()) or len(value) > 18:
        raise Http404
    return int(value)


def _people(organisation):
    return StaffMember.objects.filter(organisation=organisation, user__isnull=False).select_related("user")


class Users(ScimView):
    def get(self, request):
        page, total, start = _paged(request, _people(self.organisation).order_by("pk"), USER_FILTERS)
        audit.note(request, page)
        return Response(res.list_json([res.user_json(request, m) for m in page], total=total, start=start))

    def post(self, request):
        member = scim.user_create(organisation=self.organisation, data=res.user_from_json(request.data))
        audit.note(request, member)
        body = res.user_json(request, member)
        return Response(body, status=201, headers={"Location": body["meta"]["location"]})


class UserDetail(ScimView):
    def _member(self, request, pk: str) -> StaffMember:
        member = _people(self.organisation).filter(pk=_pk(pk)).first()
        if member is None:
            raise Http404
        audit.note(request, member)
        return member

    def get(self, request, pk: str):
        return Response(res.user_json(request, self._member(request, pk)))

    def put(self, request, pk: str):
        member = self._member(request, pk)
        data = res.user_from_json(request.data, current=scim.user_data(member))
        member = scim.user_replace(member=member, data=data)
        return Response(res.user_json(request, member))

    def patch(self, request, pk: str):
        member = self._member(request, pk)
        data = res.user_patched(scim.user_data(member), request.data)
        member = scim.user_replace(member=member, data=data)
        return Response(res.user_json(request, member))

    def delete(self, request, pk: str):
        """Deactivation, not deletion: the staff record and everything about the person stay."""
        scim.user_set_active(member=self._member(request, pk), active=False)
        return Response(status=204)


def _groups(organisation):
    members = ScimGroupMember.objects.select_related("staff").order_by("staff_id")
    return ScimGroup.objects.filter(organisation=organisation).prefetch_related(Prefetch("members", queryset=members))


def _with_members(request) -> bool:
    excluded = request.query_params.get("excludedAttributes", "")
    return "members" not in {a.strip().lower() for a in excluded.split(",")}


def _note_members(request, group: ScimGroup) -> None:
    audit.note(request, [m.staff for m in group.members.all()])


def _find_people(organisation, ids: list[str], *, strict: bool) -> list[StaffMember]:
    """The people of `ids` in the organisation. strict: an unknown id (or another organisation's) is a 400."""
    pks = [int(i) for i in ids if i.isascii() and i.isdecimal() and len(i) < 19]
    found = list(_people(organisation).filter(pk__in=pks))
    if strict and len(found) != len(set(ids)):
        raise invalid_value(_("A member is not a user of this organisation."))
    return found


class Groups(ScimView):
    def get(self, request):
        page, total, start = _paged(request, _groups(self.organisation).order_by("pk"), GROUP_FILTERS)
        with_members = _with_members(request)
        if with_members:
            for group in page:
                _note_members(request, group)
        body = [res.group_json(request, g, members=with_members) for g in page]
        return Response(res.list_json(body, total=total, start=start))

    def post(self, request):
        body = res.body_dict(request.data)
        members = _find_people(self.organisation, res.member_ids(body.get("members") or []), strict=True)
        external_id = body.get("externalId") or ""
        if not isinstance(external_id, str):
            raise invalid_value(_("externalId must be a string."))
        group = scim.group_create(
            organisation=self.organisation,
            display_name=body.get("displayName") if isinstance(body.get("displayName"), str) else "",
            external_id=external_id,
            members=members,
        )
        group = _groups(self.organisation).get(pk=group.pk)
        _note_members(request, group)
        answer = res.group_json(request, group)
        return Response(answer, status=201, headers={"Location": answer["meta"]["location"]})


class GroupDetail(ScimView):
    def _group(self, pk: str) -> ScimGroup:
        group = _groups(self.organisation).filter(pk=_pk(pk)).first()
        if group is None:
            raise Http404
        return group

    def get(self, request, pk: str):
        group = self._group(pk)
        with_members = _with_members(request)
        if with_members:
            _note_members(request, group)
        return Response(res.group_json(request, group, members=with_members))

    def patch(self, request, pk: str):
        group = self._group(pk)
        for op, path, value in res.operations(request.data):
            if path is None:
                if op == "remove" or not isinstance(value, dict):
                    raise invalid_value(_("An operation without a path needs an object as its value."))
                for key, item in value.items():
                    self._apply(request, group, op, str(key), item)
            else:
                self._apply(request, group, op, path, value)
        group = self._group(pk)
        return Response(res.group_json(request, group, members=_with_members(request)))

    def _apply(self, request, group: ScimGroup, op: str, path: str, value) -> None:
        key = path.strip().lower()
        one = res.MEMBER_FILTER.match(path.strip())
        if one is not None:
            if op != "remove":
                raise invalid_path(path)
            people = _find_people(self.organisation, [one.group(1)], strict=False)
        elif key == "members":
            ids = res.member_ids(value) if value is not None else None
            if op == "remove" and ids is None:
                people = [m.staff for m in ScimGroupMember.objects.filter(group=group).select_related("staff")]
            else:
                people = _find_people(self.organisation, ids or [], strict=op != "remove")
            if op == "replace":
                scim.group_members_set(group=group, members=people)
                audit.note(request, people)
                return
        elif key in {"displayname", "externalid"}:
            if op == "remove" and key == "displayname":
                raise invalid_value(_("displayName cannot be removed."))
            text = "" if op == "remove" else value
            if not isinstance(text, str):
                raise invalid_value(_("%(name)s must be a string.") % {"name": path})
            if key == "displayname":
                scim.group_rename(group=group, display_name=text)
            else:
                scim.group_rename(group=group, external_id=text)
            return
        else:
            raise invalid_path(path)
        audit.note(request, people)
        for person in people:
            if op == "remove":
                scim.group_member_remove(group=group, member=person)
            else:
                scim.group_member_add(group=group, member=person)

    def delete(self, request, pk: str):
        group = self._group(pk)
        _note_members(request, group)
        scim.group_delete(group=group)
        return Response(status=204)


class ServiceProviderConfig(ScimView):
    def get(self, request):
        return Response(schemas.service_provider_config(request, max_results=MAX_RESULTS))


def _listed(found: list[dict]) -> Response:
    return Response(res.list_json(found, total=len(found), start=1))


def _one(found: list[dict], pk: str) -> Response:
    for item in found:
        if item["id"] == pk:
            return Response(item)
    raise Http404


class Schemas(ScimView):
    def get(self, request):
        return _listed(schemas.schemas(request))


class SchemaDetail(ScimView):
    def get(self, request, pk: str):
        return _one(schemas.schemas(request), pk)


class ResourceTypes(ScimView):
    def get(self, request):
        return _listed(schemas.resource_types(request))


class ResourceTypeDetail(ScimView):
    def get(self, request, pk: str):
        return _one(schemas.resource_types(request), pk)
