from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "xinfang.analytics"
    label = "analytics"
    verbose_name = _("Analytics and early warning")

    def ready(self) -> None:
        from .rollup import ensure_rollup

        # After every migrate and every flush: the rollup triggers exist and the rollup
        # agrees with the cases (a table rebuilt by a later migration loses its triggers).
        post_migrate.connect(ensure_rollup, sender=self, dispatch_uid="analytics.ensure_rollup")
