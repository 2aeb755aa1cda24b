"""Default subject categories. The first seven are the first-level labels of the public
complaint data used for routing (城乡建设 ... 交通运输); a county maps them to its units."""

from __future__ import annotations

from xinfang.audit.services import audit_log
from xinfang.org.models import Unit

from .models import Category

# (code, name, default unit code in the demo county)
CATEGORIES: list[tuple[str, str, str | None]] = [
    ("urban-rural", "城乡建设", "zjj"),
    ("labour", "劳动和社会保障", "rsj"),
    ("education", "教育文体", "jtj"),
    ("commerce-tourism", "商贸旅游", "swj"),
    ("environment", "环境保护", "sthjj"),
    ("health", "卫生计生", "wjj"),
    ("transport", "交通运输", "jtysj"),
    ("agriculture", "农村农业", "nyncj"),
    ("land", "国土资源", "zrzyj"),
    ("law", "政法", "zfw"),
    ("discipline", "纪检监察", "jwjw"),
    ("other", "其他", None),
]


def ensure_categories() -> int:
    for code, name, unit_code in CATEGORIES:
        category, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_unit": Unit.objects.filter(code=unit_code).first() if unit_code else None,
            },
        )
        if created:
            audit_log(actor=None, action="cases.category.create", obj=category)
    return Category.objects.count()
