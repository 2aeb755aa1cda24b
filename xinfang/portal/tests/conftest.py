from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches

# GB 11643-1999's own example of a valid citizen identity number (check character X).
VALID_ID = "11010519491231002X"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_throttle(db: None) -> Any:
    """Attempt counters live in the cache (the database cache table is not flushed between
    tests, the local-memory cache lives as long as the process)."""
    for alias in ("shared", "default"):
        caches[alias].clear()
    yield
    for alias in ("shared", "default"):
        caches[alias].clear()


def petition_post(users: Any, **overrides: Any) -> dict[str, Any]:
    from xinfang.cases.models import Category
    from xinfang.org.models import Division

    data: dict[str, Any] = {
        "name": "李四",
        "id_number": VALID_ID,
        "phone": "139 1234 5678",
        "petitioner_address": "通海县秀山街道文庙街12号",
        "email": "lisi@example.com",
        "sms": "on",
        "title": "村道塌方影响出行",
        "category": Category.objects.get(code="urban-rural").pk,
        "petition_type": "appeal",
        "division": Division.objects.get(code="530423001").pk,
        "address": "",
        "content": "雨后村道塌方，车辆无法通行已两周，多次向村委会反映未处理。",
        "request": "请尽快修复村道。",
        "consent": "on",
        "sensitive_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def png(name: str = "照片.png") -> io.BytesIO:
    stream = io.BytesIO(PNG)
    stream.name = name
    return stream


# --- browser tests (marked ``browser``): Debian's Chromium, headless, phone-sized ---------

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
# A refused form answers 400 and a locked look-up 429 on purpose; Chromium logs those page
# loads as console errors. Anything else (a missing script, a CSP refusal) counts.
EXPECTED_CONSOLE = ("status of 400 (Bad Request)", "status of 429 (Too Many Requests)")


@pytest.fixture
def open_page(browser: Any) -> Any:
    """Opens pages in fresh browser contexts; after the test, asserts that none of them logged
    a console error or fetched anything from outside the server (no CDN)."""
    contexts: list[Any] = []
    problems: list[str] = []
    external: list[str] = []

    def _open(*, phone: bool = True, javascript: bool = True) -> Any:
        if phone:
            context = browser.new_context(
                locale="zh-CN",
                viewport=PHONE,
                is_mobile=True,
                has_touch=True,
                device_scale_factor=2,
                java_script_enabled=javascript,
            )
        else:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.endswith(EXPECTED_CONSOLE)
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: (
                external.append(r.url)
                if not r.url.startswith(("http://localhost", "http://127.0.0.1"))
                else None
            ),
        )
        return page

    yield _open
    for context in contexts:
        context.close()
    assert problems == [], f"console errors: {problems}"
    assert external == [], f"page fetched from outside: {external}"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_the_screen(page: Any) -> bool:
    """Nothing wider than the viewport (no sideways scrolling on a phone)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
