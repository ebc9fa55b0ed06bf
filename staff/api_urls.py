from django.urls import path

from staff.apis import MeApi
from staff.imports.apis import ImportApplyApi, ImportRunApi, ImportUploadApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    path("imports/", ImportUploadApi.as_view(), name="api-import-upload"),
    path("imports/<str:pk>/", ImportRunApi.as_view(), name="api-import-run"),
    path("imports/<str:pk>/apply/", ImportApplyApi.as_view(), name="api-import-apply"),
]
