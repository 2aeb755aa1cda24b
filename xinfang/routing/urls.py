from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("clusters/", views.clusters, name="clusters"),
]
