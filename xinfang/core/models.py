from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJobState(models.Model):
    """When each periodic job (xinfang.core.schedule) is next due.

    The scheduler claims a due job with a conditional update on ``next_run_at``, so several
    scheduler processes never enqueue the same run twice.
    """

    name = models.CharField(_("job"), max_length=80, unique=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """A message to a staff member (deadline warnings, supervision notices)."""

    user = models.ForeignKey(
        "org.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("to")
    )
    kind = models.CharField(_("kind"), max_length=40)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message
