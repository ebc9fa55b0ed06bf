"""/api/v1/ of the surveys app: the HR reports (surveys/reports/)."""

from django.urls import path

from .reports import apis

app_name = "surveys_api"

urlpatterns = [
    path("tertials/", apis.TertialListApi.as_view(), name="tertials"),
    path("reports/tertial/<str:tertial>/", apis.TertialReportApi.as_view(), name="tertial_report"),
    path("turnover/", apis.TurnoverApi.as_view(), name="turnover"),
    path("span-of-control/", apis.SpanOfControlApi.as_view(), name="span_of_control"),
]
