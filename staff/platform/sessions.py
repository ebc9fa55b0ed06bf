"""Which sessions belong to which login, so that all of a person's sessions can be ended at once.

Sessions live in the database (Django's default SESSION_ENGINE, `django_session`), which keys them by a
random key and keeps the user id only inside the encoded session data: finding one person's sessions would
mean decoding every row. So each signed-in session's key is recorded here with its user: at sign-in (the
user_logged_in signal) and, for a key Django rotated later (a password change cycles the key), on the next
request that carries it (`track`, no query while the key is the recorded one). `sessions_end` then deletes a
person's sessions with two statements, whatever their number. A session that ended by itself (signed out,
expired) takes its row with it at sign-out, or at the nightly `staff.tasks.sessions_clear_expired`.

Not a tenant table (no organisation_id), like `django_session` and `auth_user`: sign-in writes it before any
organisation is known. It holds the login id and the session key, no names; a row lives as long as its session.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Exists, OuterRef
from django.dispatch import receiver

TRACKED = "tracked_session_key"  # in the session: the key recorded for it (a rotated key differs)


class UserSession(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "staff"

    def __str__(self) -> str:
        return f"session of login {self.user_id}"


def _record(request, user_id: int) -> None:
    session = request.session
    if session.session_key is None:
        session.save()  # a sign-in over another person's session flushed it: make the new key now
    key = session.session_key
    UserSession.objects.get_or_create(session_key=key, defaults={"user_id": user_id})
    session[TRACKED] = key


def track(request) -> None:
    """After a signed-in request: record the session's key if it is not the one recorded (no query if it is)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated or session.session_key is None:
        return
    if session.get(TRACKED) != session.session_key:
        _record(request, user.pk)


@receiver(user_logged_in, dispatch_uid="staff.platform.sessions.logged_in")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        _record(request, user.pk)


@receiver(user_logged_out, dispatch_uid="staff.platform.sessions.logged_out")
def _on_logout(sender, request, user=None, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def sessions_end(user_ids: Iterable[int]) -> int:
    """Delete every recorded session of these logins; returns how many sessions were deleted.

    Two statements whatever the number of people or sessions. A session no one recorded (there should be
    none) still signs no one in once the login is inactive: Django's ModelBackend refuses inactive users.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    keys = UserSession.objects.filter(user_id__in=ids).values("session_key")
    deleted, _by_model = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user_id__in=ids).delete()
    return deleted


def forget_ended() -> int:
    """Rows whose session is gone (expired and cleared, or rotated away): one statement."""
    gone = ~Exists(Session.objects.filter(session_key=OuterRef("session_key")))
    deleted, _by_model = UserSession.objects.filter(gone).delete()
    return deleted
