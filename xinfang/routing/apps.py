from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "xinfang.routing"
    label = "routing"
    verbose_name = _("Routing suggestions and repeat detection")

    def ready(self) -> None:
        # Keeps the near-duplicate fingerprints in step with case texts (fingerprints.py).
        from . import signals  # noqa: F401
