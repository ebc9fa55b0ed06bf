"""The site's URLs plus /bench/ping/: the trivial authenticated view the floor benchmark compares against
(session, authentication and tenant middleware, no template, one small response)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import handler500  # noqa: F401 - the 503 handler applies here too
from config.urls import urlpatterns as site


@login_required
def ping(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping), *site]
