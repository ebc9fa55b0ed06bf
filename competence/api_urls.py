from django.urls import path

from .apis import SupplementReportApi

urlpatterns = [path("supplements/", SupplementReportApi.as_view(), name="competence-supplements")]
