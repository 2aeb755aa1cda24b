from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("submit/", views.submit, name="submit"),
    path("submitted/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("case/", views.case, name="case"),
    path("case/documents/<int:doc_pk>/", views.document, name="document"),
    path("case/rate/", views.rate, name="rate"),
    path("case/review/", views.review, name="review"),
    path("case/leave/", views.leave, name="leave"),
    path("divisions.json", views.divisions, name="divisions"),
]
