from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("risk/", views.assessment_list, name="assessments"),
    path("risk/export.xlsx", views.assessment_export, name="assessments_export"),
    path("risk/new/", views.assessment_create, name="assessment_create"),
    path("risk/<int:pk>/", views.assessment_detail, name="assessment"),
    path("risk/<int:pk>/act/<slug:step>/", views.assessment_act, name="assessment_act"),
    path(
        "risk/<int:pk>/documents/<int:doc_pk>/",
        views.assessment_document,
        name="assessment_document",
    ),
    path("zero-reports/", views.zero_periods, name="zero_periods"),
    path("zero-reports/new/", views.zero_declare, name="zero_declare"),
    path("zero-reports/<int:pk>/", views.zero_period, name="zero_period"),
    path("zero-reports/<int:pk>/submit/", views.zero_submit, name="zero_submit"),
    path("zero-reports/<int:pk>/cancel/", views.zero_cancel, name="zero_cancel"),
    path("zero-reports/<int:pk>/export.xlsx", views.zero_export, name="zero_export"),
    path("opinion/", views.note_list, name="notes"),
    path("opinion/new/", views.note_create, name="note_create"),
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/export.xlsx", views.suggestion_export, name="suggestions_export"),
    path("suggestions/new/", views.suggestion_create, name="suggestion_create"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path("suggestions/<int:pk>/act/<slug:action>/", views.suggestion_act, name="suggestion_act"),
]
