from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/lines/", views.line_add, name="line_add"),
    path("<int:pk>/spending/", views.spending_add, name="spending_add"),
    path("<int:pk>/adjustments/", views.adjustment_request, name="adjustment_request"),
    path("<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("<int:pk>/assessment/", views.assessment_record, name="assessment_record"),
    path("spending/<int:pk>/attachment/", views.spending_attachment, name="spending_attachment"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide, name="adjustment_decide"),
    path("indicators/<int:pk>/", views.indicator_enter, name="indicator_enter"),
    path("indicators/<int:pk>/evidence/", views.indicator_evidence, name="indicator_evidence"),
    path("assessment/<int:year>/", views.assessment, name="assessment"),
    path("disclosure/<int:year>.<slug:fmt>", views.disclosure, name="disclosure"),
]
