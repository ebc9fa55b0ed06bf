from django.urls import path

from staff.apis import MeApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
]
