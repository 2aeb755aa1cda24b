from __future__ import annotations

import pytest

from xinfang.cases.models import Category
from xinfang.cases.services import PetitionerData, case_route
from xinfang.cases.tests.factories import register
from xinfang.org.models import Division, Unit
from xinfang.routing.services import similar_cases, suggest

pytestmark = pytest.mark.django_db

ROOF = (
    "秀山街道锦绣小区5栋楼顶漏水两年，每逢下雨顶楼住户家中墙面渗水发霉，"
    "业主多次向物业公司和社区反映，物业以维修基金未到位为由一直拖延不修，请住建部门督促处理。"
)
ROOF_COPY = ROOF.replace("两年", "已经两年多").replace("请住建部门督促处理", "恳请住建局督促")
SCHOOL = "九龙街道中心小学周边早晚接送时段交通拥堵，学生过马路很危险，希望增设红绿灯和斑马线。"


def person(name="张三", id_number="530423199001011234", phone="13800001111"):
    return [PetitionerData(name=name, id_number=id_number, phone=phone)]


def test_suggest_gives_top_three_with_unit_and_confidence(routing_settings, demo_org):
    found = suggest(title="楼顶漏水物业不修", content=ROOF)
    assert len(found) == 3
    best = found[0]
    assert best.category == Category.objects.get(code="urban-rural")
    assert best.unit == Unit.objects.get(code="zjj")  # Category.default_unit
    assert 0 < found[2].confidence <= found[1].confidence <= best.confidence <= 1
    assert len(suggest(title="楼顶漏水", content=ROOF, top=1)) == 1
    assert suggest(title=" ", content="") == []


def test_repeat_near_duplicate_and_same_person_are_told_apart(routing_settings, users):
    repeat = register(users, title="楼顶漏水", content=ROOF, petitioners=person())
    copied = register(
        users,
        title="楼顶漏水无人管",
        content=ROOF_COPY,
        petitioners=person("李四", "", "13900002222"),
    )
    other = register(users, title="学校门口拥堵", content=SCHOOL, petitioners=person())
    unrelated = register(
        users, title="学校门口拥堵", content=SCHOOL, petitioners=person("王五", "", "13700003333")
    )

    found = similar_cases(
        user=users["clerk"],
        title="楼顶又漏水了",
        content=ROOF,
        petitioner_id_number="530423199001011234",
        limit=10,
    )
    by_case = {s.case.pk: s for s in found}
    assert by_case[repeat.pk].reason == "repeat"
    assert by_case[copied.pk].reason == "similar_matter"
    assert by_case[other.pk].reason == "same_person"
    assert unrelated.pk not in by_case
    assert [s.reason for s in found] == ["repeat", "similar_matter", "same_person"]
    assert by_case[repeat.pk].similarity > by_case[copied.pk].similarity > 0.3


def test_same_person_found_by_phone_or_by_name_and_place(routing_settings, users):
    earlier = register(users, title="学校门口拥堵", content=SCHOOL, petitioners=person())
    by_phone = similar_cases(user=users["clerk"], title="漏水", content=ROOF, phone="138 0000 1111")
    assert [s.case.pk for s in by_phone] == [earlier.pk]
    place = Division.objects.get(code="530423001")
    by_name = similar_cases(
        user=users["clerk"], title="漏水", content=ROOF, name="张三", division=place
    )
    assert [s.case.pk for s in by_name] == [earlier.pk]
    elsewhere = Division.objects.exclude(pk=place.pk).filter(level="township").first()
    assert (
        similar_cases(
            user=users["clerk"], title="漏水", content=ROOF, name="张三", division=elsewhere
        )
        == []
    )


def test_only_cases_the_user_may_see(routing_settings, users):
    case = register(users, title="楼顶漏水", content=ROOF, petitioners=person())
    case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    kwargs = {"title": "楼顶漏水", "content": ROOF, "phone": "13800001111"}
    assert [s.case.pk for s in similar_cases(user=users["handler"], **kwargs)] == [case.pk]
    assert similar_cases(user=users["handler2"], **kwargs) == []  # another unit


def test_the_case_itself_can_be_left_out(routing_settings, users):
    case = register(users, title="楼顶漏水", content=ROOF, petitioners=person())
    found = similar_cases(user=users["clerk"], title="楼顶漏水", content=ROOF, exclude=case)
    assert found == []


def test_routing_advice_is_plain_data_for_the_api(routing_settings, users):
    import json

    from xinfang.routing.services import routing_advice

    earlier = register(users, title="楼顶漏水", content=ROOF, petitioners=person())
    advice = routing_advice(
        user=users["clerk"], title="楼顶漏水", content=ROOF, phone="13800001111"
    )
    assert json.loads(json.dumps(advice)) == advice  # serialisable as it is
    assert advice["model_status"] == "ready"
    assert advice["model"]
    assert [s["category"]["code"] for s in advice["suggestions"]][0] == "urban-rural"
    assert len(advice["suggestions"]) == 3
    assert advice["similar"][0]["id"] == earlier.pk
    assert advice["similar"][0]["reason"] == "repeat"
    empty = routing_advice(user=users["clerk"], title="", content="  ")
    assert (empty["suggestions"], empty["similar"]) == ([], [])
