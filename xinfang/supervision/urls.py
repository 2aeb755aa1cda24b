from django.urls import path

from . import views, views_work

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.dashboard, name="dashboard"),
    path("unit/", views.unit_queue_view, name="unit_queue"),
    path("leader/", views.leader_view, name="leader"),
    path("items/", views.item_list, name="items"),
    path("items/new/<slug:kind>/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/act/<slug:action>/", views.item_act, name="item_act"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("complex/", views_work.complex_list, name="complex"),
    path("cases/<int:case_pk>/joint/", views_work.joint_set, name="joint_set"),
    path("cases/<int:case_pk>/meeting/", views_work.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views_work.meeting_detail, name="meeting"),
    path("backlog/", views_work.backlog, name="backlog"),
    path("backlog/<int:pk>/", views_work.backlog_entry, name="backlog_entry"),
    path("backlog/<int:pk>/act/<slug:action>/", views_work.backlog_act, name="backlog_act"),
    path("visits/", views_work.visit_list, name="visits"),
    path("visits/new/", views_work.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views_work.visit_detail, name="visit"),
    path("visits/<int:pk>/act/<slug:action>/", views_work.visit_act, name="visit_act"),
    path("quality/", views_work.quality_list, name="quality"),
    path("quality/select/", views_work.quality_select, name="quality_select"),
    path("quality/draw/", views_work.quality_draw, name="quality_draw"),
    path("quality/rates/", views_work.quality_rates, name="quality_rates"),
    path("quality/<int:pk>/", views_work.quality_inspect, name="quality_inspect"),
    path("follow-ups/", views_work.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/", views_work.follow_up_detail, name="follow_up"),
]
