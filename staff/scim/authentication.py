"""SCIM tokens: `Authorization: Bearer scim_<prefix>_<secret>`. Random keys, shown once, stored as SHA-256 hashes.

The token is the organisation's, not a person's: the request stays anonymous (no history user, no session), and
`request.scim_token` on the Django request names the token for the history reason and the access log.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from staff.platform import rls
from staff.platform.authentication import hash_key
from staff.scim.models import ScimToken

KEY_PREFIX = "scim_"
KEYWORD = "Bearer"
LAST_USED_RESOLUTION = timedelta(minutes=1)
REQUEST_ATTRIBUTE = "scim_token"


def new_key() -> tuple[str, str]:
    """Return (key, prefix). The prefix identifies the token in lists without revealing it."""
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_of(header: str) -> str | None:
    """The key of an `Authorization: Bearer scim_...` header, or None when it is not one."""
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != KEYWORD.lower() or not parts[1].startswith(KEY_PREFIX):
        return None
    return parts[1] if len(parts[1]) <= 200 and parts[1].isascii() else None


def token_for(key: str) -> ScimToken | None:
    """The live token of `key`, with its organisation set for row-level security; None if unknown or revoked."""
    key_hash = hash_key(key)
    if rls.enabled() and rls.activate_for_scim_token(key_hash) is None:
        return None
    token = ScimToken.objects.select_related("organisation").filter(key_hash=key_hash).first()
    if token is None or token.revoked_at is not None:
        return None
    return token


class ScimTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        key = key_of(header)
        token = token_for(key) if key else None
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked SCIM token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        setattr(request._request, REQUEST_ATTRIBUTE, token)
        return AnonymousUser(), token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="scim"'


class HasScimToken(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ScimToken)
