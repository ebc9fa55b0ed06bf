from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("intake/", views.queue, name="queue"),
    path("intake/new/", views.register, name="register"),
    path("intake/<int:pk>/", views.detail, name="detail"),
    path("intake/settings/", views.settings_edit, name="settings"),
]
