"""Write the access log: one row, in one INSERT, per request to a URL pattern that shows personal or case data."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

from staff.platform.audit import asked_of, noted, stated_purpose, stream
from staff.platform.audit.registry import classify
from staff.platform.middleware import client_address

SESSION_COOKIE = settings.SESSION_COOKIE_NAME


def url_ids(kwargs: dict, asked: dict | None = None) -> str:
    """The URL's integer arguments ("pk=12"), then what the view recorded with `audit.asked` (an export's
    period)."""
    ids = [f"{k}={v}" for k, v in sorted(kwargs.items()) if str(v).isascii() and str(v).isdecimal()]
    return ",".join([*ids, *(f"{k}={v}" for k, v in sorted((asked or {}).items()))])[:200]


def _int_or_none(value) -> int | None:
    return int(value) if str(value).isascii() and str(value).isdecimal() and len(str(value)) < 19 else None


def _url_object(match, entry) -> tuple[str, int | None, int | None]:
    object_id = _int_or_none(match.kwargs.get(entry.pk)) if entry.pk else None
    return entry.kind, object_id, object_id if entry.kind == "unit" else None


def access_row(request, response, match, entry, staff, *, scim_token=None):
    """The one log row of a request: the objects the view noted, else the object named by the URL.

    `staff` is the reader; a request of the organisation's directory has none and names its `scim_token`."""
    from staff.platform.audit.models import AccessLogEntry

    notes = noted(request)
    if not notes:
        if entry.own_record and staff is not None:
            notes = [(entry.kind, staff.pk, staff.unit_id)]
        else:
            notes = [_url_object(match, entry)]
    elif entry.pk and not any(kind == entry.kind for kind, _i, _u in notes):
        # e.g. a unit page that noted the case numbers it listed: the unit named by the URL is recorded too
        notes = [_url_object(match, entry), *notes]
    return AccessLogEntry.showing(
        notes,
        organisation_id=scim_token.organisation_id if staff is None else staff.organisation_id,
        at=timezone.now(),
        actor_id=None if staff is None else staff.pk,
        user_id=None if staff is None else request.user.pk,
        scim_token_id=None if scim_token is None else scim_token.pk,
        channel=entry.channel or ("api" if request.path.startswith("/api/") else "page"),
        url_name=match.view_name[:100],
        url_ids=url_ids(match.kwargs, asked_of(request)),
        method=request.method[:8],
        status=response.status_code,
        address=client_address(request),
        purpose=stated_purpose(request),
    )


def _security_event(request, response, kind: str, *, organisation_id=None, user_id=None) -> None:
    security_event_write(request, kind, status=response.status_code, organisation_id=organisation_id, user_id=user_id)


def security_event_write(
    request, kind: str, *, status: int, organisation_id=None, user_id=None, reason: str = "", by_label: str = ""
) -> None:
    from staff.platform.audit.models import SecurityEvent

    match = getattr(request, "resolver_match", None)
    event = SecurityEvent(
        kind=kind,
        organisation_id=organisation_id,
        user_id=user_id,
        url_name=(match.view_name if match else "")[:100],
        method=request.method[:8],
        status=status,
        address=client_address(request),
        reason=reason,
        by_label=by_label[:100],
    )
    # INSERT without RETURNING: under row-level security (staff/platform/rls.py) a row of no organisation may be
    # written but never read, and RETURNING would read it back. On PostgreSQL the id is taken from the table's
    # sequence first (the application role may use the sequences), so the streamed line names its row; on the
    # embedded default (no row-level security) the insert returns it.
    fields = list(SecurityEvent._meta.concrete_fields)
    using = router.db_for_write(SecurityEvent)
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [SecurityEvent._meta.db_table])
            event.pk = cursor.fetchone()[0]
        SecurityEvent.objects.using(using)._insert([event], fields=fields, returning_fields=None, using=using)
    else:
        fields = [f for f in fields if not f.primary_key]
        returned = SecurityEvent.objects.using(using)._insert(
            [event], fields=fields, returning_fields=SecurityEvent._meta.db_returning_fields, using=using
        )
        event.pk = returned[0][0]
    stream.after_commit([event], using=using)


def _refused_token(request, response) -> None:
    """A 401 to `Authorization: Token stb_<prefix>_...`: logged under the token's organisation."""
    from staff.models import ApiToken

    header = request.META.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    organisation_id = user_id = None
    if len(parts) == 2 and parts[1].startswith("stb_") and parts[1].count("_") >= 2:
        from staff.platform import rls
        from staff.platform.authentication import hash_key

        if rls.enabled():
            # Under row-level security the token is visible only within its organisation, which the
            # refused request's rolled-back transaction no longer holds: look it up by the key's hash.
            rls.activate_for_token(hash_key(parts[1]))
        prefix = parts[1].split("_")[1][:12]
        token = ApiToken.objects.filter(prefix=prefix).select_related("staff").first()
        if token is not None:
            organisation_id, user_id = token.organisation_id, token.staff.user_id
    _security_event(request, response, "token_refused", organisation_id=organisation_id, user_id=user_id)


def _refused_scim_token(request, response) -> None:
    """A 401 of /scim/v2/: logged under the organisation of the token the key's prefix names, if any."""
    from staff.platform import rls
    from staff.platform.authentication import hash_key
    from staff.scim.authentication import key_of
    from staff.scim.models import ScimToken

    key = key_of(request.META.get("HTTP_AUTHORIZATION", ""))
    organisation_id = None
    if key is not None and key.count("_") >= 2:
        if rls.enabled():
            rls.activate_for_scim_token(hash_key(key))  # as _refused_token: only a real key's organisation
        token = ScimToken.objects.filter(prefix=key.split("_")[1][:12]).first()
        organisation_id = token.organisation_id if token is not None else None
    _security_event(request, response, "token_refused", organisation_id=organisation_id)


def _scim_row(request, response, match, entry, token) -> None:
    """A request of the organisation's directory: its row names the SCIM token, no person."""
    from staff.platform import rls

    if rls.enabled():
        # As for an API token: a refused request rolled back the organisation the token set inside the view.
        rls.activate(token.organisation_id)
    if not (entry.only_noted and not noted(request)):
        access_row(request, response, match, entry, None, scim_token=token).save(force_insert=True)


class AccessLogMiddleware:
    """After the view: rows for the classified URL patterns, security events for refused requests.

    Placed after the session, authentication and tenant middleware. A failed INSERT is not
    swallowed: a page whose reading cannot be logged is not shown.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_rejected = self._session_rejected(request)
        response = self.get_response(request)
        if session_rejected:
            _security_event(request, response, "session_rejected")
        user = getattr(request, "user", None)
        authenticated = bool(user and user.is_authenticated)
        match = getattr(request, "resolver_match", None)
        if response.status_code == 401 and match is not None and match.namespace == "scim":
            _refused_scim_token(request, response)  # whatever the header: one event per refused request
        elif response.status_code == 401 and request.META.get("HTTP_AUTHORIZATION", "").startswith("Token "):
            _refused_token(request, response)
        entry = classify(match.view_name if match else None)
        scim_token = getattr(request, "scim_token", None)
        if entry is not None and scim_token is not None:
            _scim_row(request, response, match, entry, scim_token)
            return response
        if entry is None or not authenticated:
            return response
        staff = request.get_staff() if hasattr(request, "get_staff") else None
        if staff is None:
            return response
        from staff.platform import rls

        if response.status_code >= 400 and rls.enabled():
            # A refused request rolled back the view's transaction, and with it an organisation an API
            # token set inside it (row-level security, staff/platform/rls.py): set it again for the log row.
            rls.activate(staff.organisation_id)
        if not (entry.only_noted and not noted(request)):
            access_row(request, response, match, entry, staff).save(force_insert=True)
        return response

    @staticmethod
    def _session_rejected(request) -> bool:
        """A session cookie the store does not know (tampered, made up or expired): signed out.

        Checked before the view, so a sign-out (which empties the session) is not counted.
        """
        if SESSION_COOKIE not in request.COOKIES or not hasattr(request, "session"):
            return False
        request.session.get("_auth_user_id")  # loads the session, as the authentication would
        return request.session.session_key is None
