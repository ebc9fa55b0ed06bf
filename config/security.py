"""Security headers not covered by Django 5.2's own middleware."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy: scripts only from our own static files, never inline."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "; ".join(f"{name} {value}" for name, value in settings.CONTENT_SECURITY_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
