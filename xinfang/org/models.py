"""Organisation: administrative divisions, units and staff users with roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    """An administrative division (行政区划) identified by its statistical code.

    Codes follow GB/T 2260 down to county level (6 digits) and the National Bureau of
    Statistics' 统计用区划代码 below it (9 digits for towns, 12 for villages).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Town or street")
        VILLAGE = "village", _("Village or community")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Generated demo villages are flagged so nobody mistakes them for real places.
    is_demo = models.BooleanField(_("demo entry"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name

    def path(self) -> list[Division]:
        """Ancestors from the top down, this division last."""
        chain: list[Division] = []
        node: Division | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Unit(models.Model):
    """A government unit that takes part in petition work (单位)."""

    class Kind(models.TextChoices):
        PETITION_BUREAU = "petition_bureau", _("Petition bureau")  # 信访局
        MEDIATION_CENTRE = "mediation_centre", _("Dispute mediation centre")  # 矛调中心
        HOTLINE_CENTRE = "hotline_centre", _("12345 hotline centre")
        DEPARTMENT = "department", _("County department")
        TOWN_GOVERNMENT = "town_government", _("Town or street government")
        DISCIPLINE = "discipline", _("Discipline inspection and supervision")  # 纪委监委
        POLITICAL_LEGAL = "political_legal", _("Political-legal organ")  # 政法机关
        LEADERSHIP = "leadership", _("County leadership")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="units")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    """Staff roles. What each may do is in xinfang.org.permissions, one map."""

    CLERK = "clerk", _("Intake clerk")  # 登记员
    HANDLER = "handler", _("Handler")  # 承办人
    UNIT_HEAD = "unit_head", _("Unit head")  # 单位负责人
    SUPERVISOR = "supervisor", _("Supervisor")  # 督办员
    INSPECTOR = "inspector", _("Quality inspector")  # 质检员
    LEADER = "leader", _("Leader")  # 领导
    ANALYST = "analyst", _("Analyst")  # 研判分析员
    ADMIN = "admin", _("System administrator")  # 系统管理员


class User(AbstractUser):
    """A staff member. Citizens do not need accounts (they use the query code)."""

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.CLERK)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("unit"),
    )
    full_name = models.CharField(_("full name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username
