"""Reads of the messages to citizens, scoped through the cases the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_visible_to
from xinfang.org.models import User

from .models import Message


def case_for_messages(user: User, pk: int) -> Case | None:
    """The case, if ``user`` may see it (foreign ids answer None, i.e. 404)."""
    return cases_visible_to(user).filter(pk=pk).first()


def messages_of(case: Case) -> QuerySet[Message]:
    return Message.objects.filter(case=case).order_by("created_at", "id")
