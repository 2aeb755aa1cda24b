from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.leader_dashboard, name="leader"),
    path("supervision/", views.supervision_dashboard, name="supervision"),
    path("unit/", views.unit_dashboard, name="unit"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/<slug:action>/", views.warning_act, name="warning_act"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/<slug:fmt>/", views.report_file, name="report_file"),
    path("settings/", views.settings_page, name="settings"),
    path("public/", views.public_statistics, name="public"),
]
