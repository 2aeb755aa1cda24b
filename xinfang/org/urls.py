from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("divisions/", views.division_list, name="divisions"),
    path("divisions.json", views.division_tree, name="division_tree"),
]
