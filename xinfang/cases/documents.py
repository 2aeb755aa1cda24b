"""Formal documents of a case, rendered as PDF (xinfang.documents.pdf) and kept with it."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from xinfang.audit.services import audit_log
from xinfang.documents.pdf import DocumentData, DocumentKind, document_title, render_pdf
from xinfang.org.models import Unit, User

from .models import Case, CaseDocument, Outcome

# Short codes in document numbers, e.g. 通信访受〔2026〕12号.
NUMBER_PREFIX = {
    DocumentKind.ACCEPTANCE_NOTICE: "受",
    DocumentKind.NON_ACCEPTANCE_NOTICE: "不受",
    DocumentKind.TRANSFER_LETTER: "转",
    DocumentKind.REPLY: "复函",
    DocumentKind.EXTENSION_NOTICE: "延",
    DocumentKind.REVIEW_DECISION: "复查",
    DocumentKind.REREVIEW_DECISION: "复核",
    DocumentKind.TERMINATION_NOTICE: "终",
}


def _issuing_unit(case: Case, kind: DocumentKind) -> str:
    """Notices of acceptance and answers come from the handling unit; routing letters and
    decisions on review from the bureau (the level above in this county's set-up)."""
    handled_by_unit = {
        DocumentKind.ACCEPTANCE_NOTICE,
        DocumentKind.REPLY,
        DocumentKind.EXTENSION_NOTICE,
    }
    if kind in handled_by_unit and case.handling_unit:
        return case.handling_unit.name
    if kind == DocumentKind.NON_ACCEPTANCE_NOTICE and case.handling_unit:
        return case.handling_unit.name
    bureau = Unit.objects.filter(kind=Unit.Kind.PETITION_BUREAU).first()
    return bureau.name if bureau else "信访工作机构"


def issue_document(
    case: Case, kind: str, *, actor: User | None, body: str = "", issued_on: date | None = None
) -> CaseDocument:
    from .services import next_number

    doc_kind = DocumentKind(kind)
    issued_on = issued_on or timezone.localdate()
    seq = next_number(f"doc-{doc_kind.value}-{issued_on.year}")
    number = f"通信访{NUMBER_PREFIX[doc_kind]}〔{issued_on.year}〕{seq}号"
    principal = case.petitioners.first()
    addressee = principal.name if principal else "信访人"
    if doc_kind == DocumentKind.TRANSFER_LETTER and case.handling_unit:
        addressee = case.handling_unit.name
    due_on = case.handling_due or case.acceptance_due
    extra = {"outcome": str(Outcome(case.outcome).label) if case.outcome else ""}
    data = DocumentData(
        kind=doc_kind,
        number=number,
        case_number=case.number,
        issuing_unit=_issuing_unit(case, doc_kind),
        addressee=addressee,
        issued_on=issued_on,
        title=case.title,
        facts=case.request or case.content,
        body=body or case.content,
        query_code=case.query_code if doc_kind == DocumentKind.ACCEPTANCE_NOTICE else "",
        due_on=due_on,
        extra=extra,
    )
    pdf = render_pdf(data)
    document = CaseDocument(
        case=case,
        kind=doc_kind.value,
        number=number,
        title=document_title(doc_kind),
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_by=actor,
    )
    document.file.save(f"{doc_kind.value}-{seq}.pdf", ContentFile(pdf), save=False)
    document.save()
    audit_log(
        actor=actor,
        action="case.document",
        obj=document,
        after={"case": case.number, "kind": doc_kind.value, "sha256": document.sha256},
    )
    return document
