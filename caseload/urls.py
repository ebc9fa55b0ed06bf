from django.urls import path

from . import handover, views
from .meeting import views as meeting

app_name = "caseload"

urlpatterns = [
    path("caseload/mine/", views.my_caseload, name="my_caseload"),
    path("caseload/supervision/", views.supervision, name="supervision"),
    path("caseload/settings/", views.settings_edit, name="settings"),
    path("caseload/units/<int:pk>/", views.unit_dashboard, name="unit_dashboard"),
    path("caseload/units/<int:pk>/load.csv", views.unit_load_csv, name="unit_load_csv"),
    path("caseload/cases/new/", views.case_create, name="case_create"),
    path("caseload/cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("caseload/cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("caseload/cases/<int:pk>/open/", views.investigation_open, name="investigation_open"),
    path("caseload/cases/<int:pk>/close/", views.investigation_close, name="investigation_close"),
    path("caseload/cases/<int:pk>/extend/", views.investigation_extend, name="investigation_extend"),
    path("caseload/units/<int:pk>/cycle/", meeting.unit_cycle, name="unit_cycle"),
    path("caseload/units/<int:pk>/cycle/token/", meeting.feed_token_regenerate, name="feed_token_regenerate"),
    path("caseload/units/<int:pk>/cycle.ics", meeting.unit_feed, name="unit_feed"),
    path("caseload/feeds/<int:unit>/<str:token>.ics", meeting.token_feed, name="token_feed"),
    path("caseload/units/<int:pk>/board/", meeting.board, name="board"),
    path("caseload/units/<int:pk>/board/interest/", meeting.interest_toggle, name="interest_toggle"),
    path("caseload/units/<int:pk>/board/duty/", meeting.duty_set, name="duty_set"),
    path("caseload/units/<int:pk>/board/propose/", meeting.proposal_make, name="proposal_make"),
    path("caseload/units/<int:pk>/board/adjust/", meeting.proposal_adjust, name="proposal_adjust"),
    path("caseload/units/<int:pk>/board/confirm/", meeting.proposal_confirm, name="proposal_confirm"),
    path("caseload/units/<int:pk>/review/", meeting.review_form, name="review_form"),
    path("caseload/units/<int:pk>/reviews/", meeting.review_forms_read, name="review_forms_read"),
    path("caseload/units/<int:pk>/board/wrap-up/", meeting.wrap_up_save, name="wrap_up_save"),
    *handover.urlpatterns,
]
