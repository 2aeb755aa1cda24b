from django.urls import path

from . import views

app_name = "disputes"
urlpatterns = [
    path("", views.home, name="home"),
    path("ledger/", views.dispute_list, name="list"),
    path("ledger/export.xlsx", views.dispute_export, name="export"),
    path("ledger/new/", views.dispute_create, name="create"),
    path("ledger/<int:pk>/", views.dispute_detail, name="detail"),
    path("ledger/<int:pk>/act/<slug:action>/", views.dispute_act, name="act"),
    path("ledger/<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/act/<slug:action>/", views.campaign_act, name="campaign_act"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
]
