"""What the petitioner is told at each step. Short enough for an SMS; no staff names, no
internal notes, nothing about other people (accusation materials never leave the case)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from xinfang.cases.models import Case, LegalChannel

from .conf import conf
from .models import Event


def _link() -> str:
    url = str(conf("PORTAL_URL"))
    return f" {url}" if url else ""


def _date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def message_text(event: str, case: Case) -> tuple[str, str]:
    """(subject, body) of the message for ``event``, in the active language."""
    values = {
        "number": case.number,
        "title": case.title,
        "code": case.query_code,
        "unit": case.handling_unit.name if case.handling_unit else "",
        "link": _link(),
    }
    if event == Event.REGISTERED:
        body = _(
            "Your petition “%(title)s” has been received and registered as %(number)s. "
            "Your query code is %(code)s. Keep the case number and the query code: with them "
            "you can follow the handling, read the answer and rate it online.%(link)s"
        )
    elif event == Event.ACCEPTED:
        values["due"] = _date(case.handling_due)
        body = _(
            "Your petition %(number)s has been accepted by %(unit)s. The written answer is "
            "due by %(due)s. The acceptance notice can be read online.%(link)s"
        )
    elif event == Event.NOT_ACCEPTED:
        body = _(
            "Your petition %(number)s has not been accepted. The notice with the reasons can "
            "be read online.%(link)s"
        )
    elif event == Event.EXTENDED:
        values["due"] = _date(case.handling_due)
        body = _(
            "The time limit for answering your petition %(number)s has been extended to "
            "%(due)s. The notice with the reason can be read online.%(link)s"
        )
    elif event == Event.REPLIED:
        values["due"] = _date(case.evaluation_due)
        body = _(
            "Your petition %(number)s has been answered. Read the answer online and tell us "
            "by %(due)s whether you are satisfied.%(link)s"
        )
    elif event == Event.REVIEW_DECIDED:
        body = _(
            "The review of your petition %(number)s has been decided. Read the decision "
            "online.%(link)s"
        )
    elif event == Event.REREVIEW_DECIDED:
        body = _(
            "The re-review of your petition %(number)s has been decided; this decision is "
            "final. Read it online.%(link)s"
        )
    elif event == Event.DIVERTED:
        values["procedure"] = (
            str(LegalChannel(case.diverted_to).label)
            if case.diverted_to in LegalChannel.values
            else ""
        )
        body = _(
            "Your petition %(number)s belongs to a legal procedure (%(procedure)s) and is not "
            "handled as a petition. The notice telling you where to turn can be read "
            "online.%(link)s"
        )
    else:
        raise ValueError(f"unknown event {event!r}")
    subject = _("Your petition %(number)s: %(step)s") % {
        "number": case.number,
        "step": Event(event).label,
    }
    return subject, body % values
