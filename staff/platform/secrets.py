"""Secrets kept in the database encrypted (an identity provider's client secret): Fernet (AES-128-CBC with
HMAC-SHA256) from `cryptography`, with a key from the setting FIELD_ENCRYPTION_KEY, or derived from SECRET_KEY
when it is not set. Changing the key makes stored secrets unreadable: they must then be entered again."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key (or was altered)."""


def _fernet() -> Fernet:
    configured = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if configured:
        return Fernet(configured.encode())
    digest = hashlib.sha256(b"stabil-field-encryption:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable from exc


def encrypt_bytes(data: bytes) -> str:
    """A file (an uploaded import) as a Fernet token; b"" stays ""."""
    return _fernet().encrypt(data).decode() if data else ""


def decrypt_bytes(token: str) -> bytes:
    if not token:
        return b""
    try:
        return _fernet().decrypt(token.encode())
    except InvalidToken as exc:
        raise SecretUnreadable from exc
