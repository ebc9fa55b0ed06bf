"""`/scim/v2/` (config/urls.py includes it under the namespace "scim"). No trailing slashes: SCIM clients add none."""

from django.urls import path

from staff.scim import views

app_name = "scim"

urlpatterns = [
    path("Users", views.Users.as_view(), name="users"),
    path("Users/<str:pk>", views.UserDetail.as_view(), name="user"),
    path("Groups", views.Groups.as_view(), name="groups"),
    path("Groups/<str:pk>", views.GroupDetail.as_view(), name="group"),
    path("ServiceProviderConfig", views.ServiceProviderConfig.as_view(), name="service_provider_config"),
    path("Schemas", views.Schemas.as_view(), name="schemas"),
    path("Schemas/<str:pk>", views.SchemaDetail.as_view(), name="schema"),
    path("ResourceTypes", views.ResourceTypes.as_view(), name="resource_types"),
    path("ResourceTypes/<str:pk>", views.ResourceTypeDetail.as_view(), name="resource_type"),
]
