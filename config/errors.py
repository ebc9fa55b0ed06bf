"""The server-error handler: a database that does not answer is a clear 503, not a 500.

PostgreSQL restarting, a failover or a full connection pool raise OperationalError (or InterfaceError on a
connection that died under us) wherever the first query happens: in the session or tenant middleware or in
the view. Django hands every such uncaught exception to handler500 inside its except block, so this
handler sees it in sys.exc_info(). Pages get a standalone Swedish page (no database, no context processors);
/api/ gets the stable error body. ATOMIC_REQUESTS rolls the request's writes back: nothing is half-written.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "Tjänsten är tillfälligt otillgänglig. Försök igen om en liten stund."


def database_unavailable(exc: BaseException | None) -> bool:
    """True for a database that does not answer, also when it is the cause of another exception."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


SERVER_ERROR_MESSAGE = "Något gick fel hos oss. Försök igen senare."


def server_error_or_unavailable(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if not database_unavailable(sys.exc_info()[1]):
        if request.path.startswith("/api/"):  # the API's documented error body, never an HTML page
            body = {"error": {"code": "server_error", "message": SERVER_ERROR_MESSAGE, "fields": {}}}
            return JsonResponse(body, status=500)
        return server_error(request, template_name)
    if request.path.startswith("/api/"):
        body = {"error": {"code": "unavailable", "message": UNAVAILABLE_MESSAGE, "fields": {}}}
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
