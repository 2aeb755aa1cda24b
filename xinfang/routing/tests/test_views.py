from __future__ import annotations

import pytest
from django.urls import reverse

from xinfang.cases.tests.factories import register
from xinfang.org.models import Division

from .test_services import ROOF, ROOF_COPY, person

pytestmark = pytest.mark.django_db


def test_suggest_answers_json_for_the_registration_form(client, routing_settings, users):
    earlier = register(users, title="楼顶漏水", content=ROOF, petitioners=person())
    client.force_login(users["clerk"])
    response = client.post(
        reverse("routing:suggest"),
        {
            "title": "楼顶漏水",
            "content": ROOF,
            "id_number": "530423199001011234",
            "division": Division.objects.get(code="530423001").pk,
            "name": "张三",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["model"]
    assert body["model_status"] == "ready"
    assert len(body["suggestions"]) == 3
    first = body["suggestions"][0]
    assert set(first) == {"label", "confidence", "category", "unit"}
    assert first["category"]["code"] == "urban-rural"
    assert first["unit"]["code"] == "zjj"
    assert body["similar"][0]["number"] == earlier.number
    assert body["similar"][0]["reason"] == "repeat"
    assert body["similar"][0]["url"] == reverse("cases:detail", kwargs={"pk": earlier.pk})


def test_personal_identifiers_are_ignored_in_a_url(client, routing_settings, users):
    register(users, title="学校门口", content="学校门口拥堵危险", petitioners=person())
    client.force_login(users["clerk"])
    response = client.get(
        reverse("routing:suggest"), {"title": "漏水", "content": ROOF, "phone": "13800001111"}
    )
    assert response.status_code == 200
    assert response.json()["similar"] == []


def test_empty_request_answers_without_a_model(client, users, settings, tmp_path):
    settings.XINFANG_ROUTING = {"MODEL_DIR": tmp_path, "AUTO_TRAIN": False}
    client.force_login(users["clerk"])
    assert client.get(reverse("routing:suggest")).json() == {
        "model": None,
        "model_status": "unavailable",
        "suggestions": [],
        "similar": [],
    }


def test_suggest_needs_the_register_capability(client, routing_settings, users):
    url = reverse("routing:suggest")
    assert client.get(url, {"title": "x"}).status_code == 302
    client.force_login(users["handler"])
    assert client.post(url, {"title": "漏水", "content": ROOF}).status_code == 403


def test_supervisor_sees_clusters_from_several_petitioners(client, routing_settings, users):
    a = register(users, title="楼顶漏水", content=ROOF, petitioners=person())
    b = register(
        users, title="楼顶漏水", content=ROOF_COPY, petitioners=person("李四", "", "13900002222")
    )
    same_person = register(
        users, title="学校", content="学校门口拥堵危险" * 5, petitioners=person()
    )
    register(users, title="学校", content="学校门口拥堵危险" * 5, petitioners=person())
    client.force_login(users["supervisor"])
    response = client.get(reverse("routing:clusters"))
    assert response.status_code == 200
    clusters = response.context["clusters"]
    assert [sorted(c.pk for c in cluster.cases) for cluster in clusters] == [sorted([a.pk, b.pk])]
    assert clusters[0].petitioners == 2
    assert same_person.number not in response.content.decode()
    client.force_login(users["clerk"])
    assert client.get(reverse("routing:clusters")).status_code == 403
