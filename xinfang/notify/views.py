"""Staff pages: the messages sent to the petitioner of a case, and a retry for failed ones."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.core.access import requires
from xinfang.core.errors import DomainError
from xinfang.org.permissions import Capability, has_capability

from . import services
from .selectors import case_for_messages, messages_of


@requires(Capability.VIEW_CASES)
def case_messages(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_messages(request.user, pk)  # type: ignore[arg-type]
    if case is None:
        raise Http404
    return render(
        request,
        "notify/case_messages.html",
        {
            "case": case,
            "messages_sent": messages_of(case),
            "can_retry": has_capability(request.user, Capability.REGISTER_CASE),
        },
    )


@requires(Capability.REGISTER_CASE)
@require_POST
def message_retry(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    case = case_for_messages(request.user, pk)  # type: ignore[arg-type]
    if case is None:
        raise Http404
    message = get_object_or_404(messages_of(case), pk=message_pk)
    try:
        services.message_retry(actor=request.user, message=message)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message was queued again."))
    return redirect("notify:case_messages", pk=case.pk)
