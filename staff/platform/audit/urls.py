from django.urls import path

from staff.platform.audit import views

urlpatterns = [
    path("access-log/review/", views.access_review, name="access_review"),
    path("access-log/export/", views.access_log_export, name="access_log_export"),
    path("access-log/supervisory-export/", views.supervisory_export, name="supervisory_export"),
    path("access-log/settings/", views.access_log_settings, name="access_log_settings"),
    path("access-log/security-events/", views.security_events, name="security_events"),
]
