"""Report results back to the client system that sent an order (回传): whenever an order's
hotline status changes, POST its status record (the same fields as the CSV export) as JSON
to the client's callback URL. Run periodically (schedule ``hotline.report_back``); a failed
delivery is retried on the next run.

Each POST carries ``X-Xinfang-Signature: sha256=<hex>``, the HMAC-SHA256 of the body keyed
with the SHA-256 (hex) of the client's API key: the client can verify it, and we never
store the key itself."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone

from xinfang.audit.services import audit_log

from .models import HotlineOrder
from .selectors import hotline_status, status_record, with_status

logger = logging.getLogger(__name__)
FINAL = ("closed", "not_accepted", "merged", "diverted")
TIMEOUT_SECONDS = 10


def sign(body: bytes, key_hash: str) -> str:
    return "sha256=" + hmac.new(key_hash.encode(), body, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(  # noqa: S310 (URL set by the administrator, http(s) only)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Xinfang-Signature": signature},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        return int(response.status)


def report_back(
    *,
    now: datetime | None = None,
    limit: int = 500,
    post: Callable[[str, bytes, str], int] = _post,
) -> dict[str, int]:
    now = now or timezone.now()
    orders = with_status(
        HotlineOrder.objects.filter(client__isnull=False, case__isnull=False)
        .exclude(client__callback_url="")
        .exclude(reported_status__in=FINAL)
        .select_related("client", "client__user")
    )
    sent = failed = 0
    for order in orders.order_by("pk")[: limit * 4]:
        status = hotline_status(order)
        if status == order.reported_status:
            continue
        if sent + failed >= limit:
            break
        client = order.client
        assert client is not None  # noqa: S101 (filtered above)
        record: dict[str, Any] = status_record(order, now=now)
        body = json.dumps(record, ensure_ascii=False).encode("utf-8")
        if not client.callback_url.startswith(("http://", "https://")):
            continue
        try:
            code = post(client.callback_url, body, sign(body, client.key_hash))
        except OSError as exc:
            logger.warning("hotline callback to %s failed: %s", client.name, exc)
            failed += 1
            continue
        if not 200 <= code < 300:
            failed += 1
            continue
        updated = HotlineOrder.objects.filter(
            pk=order.pk, reported_status=order.reported_status
        ).update(reported_status=status, reported_at=now)
        if updated:
            audit_log(
                actor=client.user,
                action="hotline.order.report_back",
                obj=order,
                before={"reported_status": order.reported_status},
                after={"reported_status": status},
            )
            sent += 1
    return {"sent": sent, "failed": failed}
