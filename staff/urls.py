from django.urls import path

from staff import admin_views, help, views
from staff.absences import views as absence_views
from staff.imports import views as import_views
from staff.platform import token_views
from staff.platform.audit import urls as audit_urls
from staff.scim import admin_views as scim_admin_views
from staff.sso import admin_views as sso_admin_views

app_name = "staff"

urlpatterns = [
    path("", views.start, name="start"),
    path("me/", views.my_page, name="my_page"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("organisation/", views.organisation_overview, name="organisation_overview"),
    path("notifications/", views.notifications, name="notifications"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    *help.urlpatterns,
    *absence_views.urlpatterns,
    *admin_views.urlpatterns,
    *token_views.urlpatterns,
    *audit_urls.urlpatterns,
    *scim_admin_views.urlpatterns,
    *sso_admin_views.urlpatterns,
    *import_views.urlpatterns,
]
