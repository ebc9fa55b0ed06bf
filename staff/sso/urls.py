"""Under /accounts/: the organisation's sign-in page and allauth's OpenID Connect and SAML endpoints, with the
URL names allauth reverses."""

from django.urls import path

from staff.sso import domain_views, views

urlpatterns = [
    path("sso/", views.find_organisation, name="sso_find"),
    path("sso/<slug:slug>/", views.organisation_sign_in, name="sso_organisation"),
    path("sso/domain/<str:token>/", domain_views.domain_verify, name="sso_domain_verify"),
    path("oidc/<slug:provider_id>/login/", views.oidc_login, name="openid_connect_login"),
    path("oidc/<slug:provider_id>/login/callback/", views.oidc_callback, name="openid_connect_callback"),
    path("saml/<slug:organization_slug>/login/", views.saml_login, name="saml_login"),
    path("saml/<slug:organization_slug>/acs/", views.saml_acs, name="saml_acs"),
    path("saml/<slug:organization_slug>/acs/finish/", views.saml_finish_acs, name="saml_finish_acs"),
    path("saml/<slug:organization_slug>/sls/", views.saml_sls, name="saml_sls"),
    path("saml/<slug:organization_slug>/metadata/", views.saml_metadata, name="saml_metadata"),
]
