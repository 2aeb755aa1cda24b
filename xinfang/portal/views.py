"""The citizen portal: public pages, mobile first. No account: a citizen reaches their case
with its number and query code; the session then remembers that one case (30 minutes idle,
and until the browser closes) and "Leave" forgets it."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinfang.audit.services import audit_log
from xinfang.cases.models import Case, Rating, Review
from xinfang.cases.privacy import retention_years
from xinfang.core.access import public
from xinfang.core.errors import DomainError

from . import selectors, services
from .forms import LookupForm, RateForm, ReviewForm, SubmitForm

SESSION_CASE = "portal_case"
SESSION_RECEIPT = "portal_receipt"


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def _session_case(request: HttpRequest, key: str = SESSION_CASE) -> Case | None:
    pk = request.session.get(key)
    if not isinstance(pk, int):
        return None
    return (
        Case.objects.select_related("category", "division", "handling_unit").filter(pk=pk).first()
    )


def _remember(request: HttpRequest, case: Case, *, receipt: bool = False) -> None:
    request.session.cycle_key()  # a new session id once it opens a case (no fixation)
    request.session[SESSION_CASE] = case.pk
    if receipt:
        request.session[SESSION_RECEIPT] = case.pk


def _no_store(view: Any) -> Any:
    """Pages with personal data are not kept in the browser cache (shared phones)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = never_cache(view)(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response

    return wrapper


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tracked": _session_case(request)})


@public
def privacy(request: HttpRequest) -> HttpResponse:
    from .services import PRIVACY_NOTICE_VERSION

    return render(
        request,
        "portal/privacy.html",
        {"version": PRIVACY_NOTICE_VERSION, "retention_years": retention_years()},
    )


@public
@_no_store
def submit(request: HttpRequest) -> HttpResponse:
    """网上信访: one form; the case is registered at once and the query code shown."""
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.portal_submit(
                data=services.PetitionInput(
                    name=d["name"],
                    id_number=d["id_number"],
                    phone=d["phone"],
                    petitioner_address=d["petitioner_address"],
                    email=d["email"],
                    sms=d["sms"],
                    title=d["title"],
                    content=d["content"],
                    request=d["request"],
                    category=d["category"],
                    petition_type=d["petition_type"],
                    division=d["division"],
                    address=d["address"],
                ),
                uploads=[
                    services.Upload(name=f.name, stream=f, size=f.size) for f in d["attachments"]
                ],
                consent=d["consent"],
                sensitive_consent=d["sensitive_consent"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                client=_client(request),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            _remember(request, case, receipt=True)
            return redirect("portal:receipt")
    return render(
        request,
        "portal/submit.html",
        {"form": form, "retention_years": retention_years()},
        status=400 if form.errors else 200,
    )


@public
@_no_store
def receipt(request: HttpRequest) -> HttpResponse:
    """The case number and query code after submitting, printable. Shown to the session that
    submitted the petition only."""
    case = _session_case(request, SESSION_RECEIPT)
    return render(request, "portal/receipt.html", {"case": case})


@public
@_no_store
def track(request: HttpRequest) -> HttpResponse:
    """Look a case up by number and query code (brute-force protected)."""
    form = LookupForm(request.POST or None)
    locked = False
    if request.method == "POST" and form.is_valid():
        try:
            case = services.portal_lookup(
                number=form.cleaned_data["number"],
                code=form.cleaned_data["code"],
                client=_client(request),
            )
        except services.LookupLocked as exc:
            locked = True
            form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            _remember(request, case)
            return redirect("portal:case")
    status = 429 if locked else 400 if form.errors else 200
    return render(request, "portal/track.html", {"form": form, "locked": locked}, status=status)


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    rate_form: RateForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    options = selectors.citizen_options(case, today=today)
    return render(
        request,
        "portal/case.html",
        {
            "case": case,
            "status_text": selectors.citizen_status(case),
            "tone": selectors.status_tone(case),
            "next_step": selectors.next_step(case),
            "timeline": selectors.citizen_timeline(case),
            "documents": selectors.citizen_documents(case),
            "decisions": selectors.citizen_decisions(case),
            "options": options,
            "rate_form": rate_form or RateForm(),
            "review_form": review_form or ReviewForm(),
            "is_rereview": options.review_level == Review.Level.REREVIEW,
            "rating_label": Rating(case.rating).label if case.rating else "",
        },
        status=status,
    )


@public
@_no_store
def case(request: HttpRequest) -> HttpResponse:
    """The tracked case: status, what comes next, timeline, documents, answer, rating."""
    tracked = _session_case(request)
    if tracked is None:
        return render(request, "portal/track.html", {"form": LookupForm(), "locked": False})
    return _case_page(request, tracked)


@public
@_no_store
def document(request: HttpRequest, doc_pk: int) -> FileResponse:
    """A document addressed to the petitioner (never the transfer letter)."""
    tracked = _session_case(request)
    doc = selectors.citizen_document(tracked, doc_pk) if tracked is not None else None
    if doc is None:
        raise Http404
    audit_log(actor=None, action="portal.document.download", obj=doc, after={"via": services.VIA})
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=False,
        filename=f"{doc.number}.pdf",
        content_type="application/pdf",
    )


@public
@require_POST
@_no_store
def rate(request: HttpRequest) -> HttpResponse:
    tracked = _session_case(request)
    if tracked is None:
        return redirect("portal:track")
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.portal_evaluate(
                case=tracked,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Thank you. Your rating has been recorded."))
            return redirect("portal:case")
    tracked.refresh_from_db()
    return _case_page(request, tracked, rate_form=form, status=400)


@public
@require_POST
@_no_store
def review(request: HttpRequest) -> HttpResponse:
    tracked = _session_case(request)
    if tracked is None:
        return redirect("portal:track")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.portal_request_review(case=tracked, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Your request has been received. The decision is sent to you.")
            )
            return redirect("portal:case")
    tracked.refresh_from_db()
    return _case_page(request, tracked, review_form=form, status=400)


@public
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the case in this browser (for shared or borrowed phones)."""
    request.session.pop(SESSION_CASE, None)
    request.session.pop(SESSION_RECEIPT, None)
    request.session.cycle_key()
    messages.info(request, _("This browser no longer shows your case."))
    return redirect("portal:home")


@public
def divisions(request: HttpRequest) -> JsonResponse:
    """County, towns and villages for the place picker (public: places only)."""
    rows = selectors.division_choices().values("id", "code", "name", "level", "parent_id")
    return JsonResponse(
        {
            "divisions": [
                {
                    "id": d["id"],
                    "code": d["code"],
                    "name": d["name"],
                    "level": d["level"],
                    "parent": d["parent_id"],
                }
                for d in rows
            ]
        }
    )
