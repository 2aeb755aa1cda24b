from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    label = "supervision"
    verbose_name = _("Supervision and quality inspection")

    def ready(self) -> None:
        from xinfang.cases.models import CaseEvent

        from .rework import case_event_saved

        # The answer to a case sent back for rework closes the rework (rework.py).
        post_save.connect(
            case_event_saved, sender=CaseEvent, dispatch_uid="supervision.case_reanswered"
        )
