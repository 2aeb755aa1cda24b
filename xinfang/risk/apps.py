from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "xinfang.risk"
    label = "risk"
    verbose_name = _("Stability risk, zero reports and suggestions")

    def ready(self) -> None:
        # The analytics area counts policy suggestions towards their yearly target (DOMAIN.md
        # §7) through a count source; it is optional, so this app works without it.
        try:
            from xinfang.analytics.selectors import register_count_source
        except ImportError:
            return
        from .selectors import policy_suggestions_in_period

        register_count_source("policy_suggestions", policy_suggestions_in_period)
