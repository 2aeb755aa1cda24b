from django.urls import include, path

from xinfang.core import views as core_views
from xinfang.core.twofactor import second_factor

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("accounts/login/", core_views.login, name="login"),
    path("accounts/logout/", core_views.logout, name="logout"),
    path("accounts/2fa/", second_factor, name="second_factor"),
    path("accounts/password/", core_views.password_change, name="password_change"),
    path("accounts/password/done/", core_views.password_change_done, name="password_change_done"),
    path("cases/", include("xinfang.cases.urls")),
    path("api/", include("xinfang.api.urls")),
    path("org/", include("xinfang.org.urls")),
    path("audit/", include("xinfang.audit.urls")),
    path("analytics/", include("xinfang.analytics.urls")),
    path("disputes/", include("xinfang.disputes.urls")),
    path("disputes/", include("xinfang.risk.urls")),
    path("open311/v2/", include("xinfang.open311.urls")),
    path("hotline/", include("xinfang.hotline.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("notify/", include("xinfang.notify.urls")),
    path("supervision/", include("xinfang.supervision.urls")),
    path("routing/", include("xinfang.routing.urls")),
    path("funds/", include("xinfang.funds.urls")),
]
