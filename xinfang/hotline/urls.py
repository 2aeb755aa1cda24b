from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress.json", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("imports/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("imports/sample.<str:fmt>", views.sample, name="sample"),
    path("export.csv", views.export, name="export"),
    path("api/orders", views.intake, name="intake"),
]
