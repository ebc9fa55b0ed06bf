"""API tokens: `Authorization: Token <key>`. Keys are random, shown once, stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from staff.models import ApiToken
from staff.platform import rls

KEY_PREFIX = "stb_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """Return (key, prefix). The prefix identifies the token in lists without revealing it."""
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed token header: use 'Authorization: Token <key>'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed token.")) from exc
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            raise exceptions.AuthenticationFailed(_("Malformed token."))
        # PostgreSQL: set the token's organisation first (row-level security hides the token until then).
        if rls.enabled() and rls.activate_for_token(hash_key(key)) is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token = (
            ApiToken.objects.select_related("staff__user", "staff__organisation").filter(key_hash=hash_key(key)).first()
        )
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = token.staff.user
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is deactivated."))
        if token.staff.has_left():  # from the day after the last day, before the nightly job revokes the token
            raise exceptions.AuthenticationFailed(
                _("The token's person has left the organisation: their employment has ended."), code="employment_ended"
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request):
        return self.keyword
