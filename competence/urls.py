from django.urls import path

from .views import appointments, overview, payroll, people, settings, supplements

app_name = "competence"

urlpatterns = [
    path("ladder/", overview.overview, name="overview"),
    path("ladder/me/", overview.my_ladder, name="my_ladder"),
    path("ladder/staff/", people.staff_list, name="staff_list"),
    path("ladder/staff/<int:pk>/", people.staff_detail, name="staff_detail"),
    path("ladder/staff/<int:pk>/promote/", people.promote, name="promote"),
    path("ladder/staff/<int:pk>/place/", people.place, name="place"),
    path("ladder/staff/<int:pk>/introduction/", people.introduction_create, name="introduction_create"),
    path("ladder/staff/<int:pk>/mentor/", people.mentor_add, name="mentor_add"),
    path("ladder/staff/<int:pk>/trainings/", people.training_add, name="training_add"),
    path("ladder/staff/<int:pk>/start/<slug:step>/undo/", people.onboarding_undo, name="onboarding_undo"),
    path("ladder/introduction/<int:pk>/done/", people.item_done, name="item_done"),
    path("ladder/reflections/<int:pk>/", people.reflection_attendance, name="reflection_attendance"),
    path("ladder/appointments/", appointments.appointments, name="appointments"),
    path("ladder/appointments/<int:pk>/renew/", appointments.appointment_renew, name="appointment_renew"),
    path("ladder/supplements/", supplements.supplements, name="supplements"),
    path("ladder/supplements.csv", supplements.supplements_csv, name="supplements_csv"),
    path("ladder/supplements/<str:month>/prepare/", supplements.supplements_prepare, name="supplements_prepare"),
    path("ladder/supplements/<str:month>/approve/", supplements.supplements_approve, name="supplements_approve"),
    path("ladder/supplements/<str:month>/payroll-file/", supplements.payroll_download, name="payroll_file"),
    path("ladder/payroll/", payroll.payroll_settings, name="payroll"),
    path("ladder/settings/", settings.ladder_settings, name="settings"),
    path("ladder/settings/levels/", settings.level_add, name="level_add"),
    path("ladder/settings/levels/<int:pk>/", settings.level_edit, name="level_edit"),
    path("ladder/settings/amounts/", settings.rate_add, name="rate_add"),
    path("ladder/settings/introduction/", settings.template_item_add, name="template_item_add"),
    path("ladder/settings/trainings/", settings.training_add, name="training_add_catalogue"),
    path("ladder/settings/default/", settings.setup_default, name="setup_default"),
]
