from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("cases/<int:pk>/", views.case_messages, name="case_messages"),
    path("cases/<int:pk>/<int:message_pk>/retry/", views.message_retry, name="retry"),
]
