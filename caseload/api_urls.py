from django.urls import path

from . import apis

app_name = "caseload_api"

urlpatterns = [
    path("caseload/mine/", apis.MyCaseloadApi.as_view(), name="my_caseload"),
    path("caseload/units/<int:pk>/", apis.UnitOverviewApi.as_view(), name="unit_overview"),
]
