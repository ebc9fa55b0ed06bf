from django.urls import path

from staff.platform.retention import views

app_name = "retention"

urlpatterns = [
    path("retention/", views.retention, name="settings"),
]
