from django.urls import path

from . import views

app_name = "caseload"

urlpatterns = [
    path("caseload/mine/", views.my_caseload, name="my_caseload"),
    path("caseload/settings/", views.settings_edit, name="settings"),
    path("caseload/units/<int:pk>/", views.unit_dashboard, name="unit_dashboard"),
    path("caseload/units/<int:pk>/load.csv", views.unit_load_csv, name="unit_load_csv"),
    path("caseload/cases/new/", views.case_create, name="case_create"),
    path("caseload/cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("caseload/cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("caseload/cases/<int:pk>/open/", views.investigation_open, name="investigation_open"),
    path("caseload/cases/<int:pk>/close/", views.investigation_close, name="investigation_close"),
    path("caseload/cases/<int:pk>/extend/", views.investigation_extend, name="investigation_extend"),
]
