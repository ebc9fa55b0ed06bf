from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from tests.idp.oidc import harness


def home(request):
    who = request.user.get_username() if request.user.is_authenticated else "nobody"
    return HttpResponse(f"Stabil test identity provider. Signed in: {who}.", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("_harness/mode", harness.mode_view),
    path("_harness/users", harness.users_view),
    path("_harness/clients", harness.clients_view),
]
