from django.urls import path, re_path

from . import views
from .actions import ACTION_VIEWS

app_name = "api"
urlpatterns = [
    path("v1/openapi.json", views.SchemaView.as_view(), name="schema"),
    path("v1/docs/", views.DocsView.as_view(), name="docs"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/cases/", views.CaseListView.as_view(), name="cases"),
    path("v1/intake/check/", views.IntakeCheckView.as_view(), name="intake-check"),
    path("v1/cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "v1/cases/<int:pk>/documents/<int:doc_pk>/",
        views.CaseDocumentView.as_view(),
        name="case-document",
    ),
    path(
        "v1/cases/<int:pk>/attachments/<int:att_pk>/",
        views.CaseAttachmentView.as_view(),
        name="case-attachment",
    ),
    *[
        path(f"v1/cases/<int:pk>/{slug}/", view.as_view(), name=f"case-{slug}")
        for slug, view in ACTION_VIEWS.items()
    ],
    path("v1/units/", views.UnitListView.as_view(), name="units"),
    path("v1/divisions/", views.DivisionListView.as_view(), name="divisions"),
    path("v1/categories/", views.CategoryListView.as_view(), name="categories"),
    # Anything else under /api/ answers a JSON 404 (unnamed: not a page of the site).
    re_path(r"^", views.not_found),
]
