import importlib

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from staff import invitation_views
from staff import views as staff_views
from staff.forms import PasswordResetForm, SignInForm
from staff.platform import mfa

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/mfa/", include(mfa.urlpatterns)),
    path("accounts/invitation/", include(invitation_views.urlpatterns)),
    # Sign-in through the organisation's identity provider (staff/sso/, django-allauth underneath).
    path("accounts/", include("staff.sso.urls")),
    # Before django.contrib.auth.urls, whose view of the same name it replaces: see staff.forms.PasswordResetForm.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", staff_views.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("scim/v2/", include("staff.scim.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# Domain apps' pages; each app owns its URL prefix inside its own urls.py.
for _name in ("competence", "caseload", "intake", "surveys", "staff.platform.retention"):
    try:
        importlib.import_module(f"{_name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_name}.urls":
            raise
        continue
    urlpatterns.append(path("", include(f"{_name}.urls")))
urlpatterns.append(path("", include("staff.urls")))

# A database that does not answer (restart, failover) is a Swedish 503 page or a JSON 503, not a 500.
handler500 = "config.errors.server_error_or_unavailable"
