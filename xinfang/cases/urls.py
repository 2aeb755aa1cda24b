from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("register/", views.case_register, name="register"),
    path("export.xlsx", views.case_export, name="export"),
    path("batch/", views.case_batch, name="batch"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="act"),
    path("<int:pk>/documents/<int:doc_pk>/", views.case_document, name="document"),
    path("<int:pk>/attachments/<int:att_pk>/", views.case_attachment, name="attachment"),
]
