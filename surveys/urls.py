from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.my_survey, name="my_survey"),
    path("surveys/rounds/<int:pk>/answer/", views.answer, name="answer"),
    path("surveys/results/", views.results_home, name="results"),
    path("surveys/results/rounds/<int:pk>/", views.round_results, name="round_results"),
    path("surveys/results/rounds/<int:pk>/export.csv", views.round_export, name="round_export"),
    path("surveys/results/units/<int:pk>/", views.unit_results, name="unit_results"),
    path("surveys/results/units/<int:pk>/rhythm/", views.rhythm_record, name="rhythm_record"),
    path("surveys/answers/<int:pk>/action-plan/", views.action_plan, name="action_plan"),
    path("surveys/action-plans/", views.action_plans, name="action_plans"),
    path("surveys/action-plans/<int:pk>/", views.action_plan_detail, name="action_plan_detail"),
    path("surveys/action-plans/<int:pk>/edit/", views.action_plan_edit, name="action_plan_edit"),
    path("surveys/baseline/", views.baseline, name="baseline"),
    path("surveys/exit-interviews/", views.exits, name="exits"),
    path("surveys/exit-interviews/new/", views.exit_new, name="exit_new"),
    path("surveys/settings/", views.survey_admin, name="admin"),
    path("surveys/settings/rounds/<int:pk>/", views.round_edit, name="round_edit"),
]
