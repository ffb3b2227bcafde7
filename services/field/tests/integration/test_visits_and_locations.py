"""Visits (beat plan, geofence policy, own visits only, illegal steps) and agent positions through the API."""

from __future__ import annotations

import uuid

import httpx


async def _plan(client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID, at: str, agent=None) -> dict:  # type: ignore[no-untyped-def]
    body = {"customer_id": str(customer), "planned_at": at}
    if agent:
        body["agent_id"] = str(agent)
    response = await client.post("/api/visits", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_the_beat_plan_lists_an_agents_day_in_order_and_agents_see_only_their_own(
    steps, client: httpx.AsyncClient
) -> None:
    actors = steps.actors
    customer = await steps.customer()
    agent, other = actors.user_id("salesman"), actors.user_id("promoter")
    manager = actors.headers("manager")
    late = await _plan(client, manager, customer, "2026-11-25T15:00:00Z", agent)
    early = await _plan(client, manager, customer, "2026-11-25T08:30:00Z", agent)
    await _plan(client, manager, customer, "2026-11-26T08:30:00Z", agent)
    theirs = await _plan(client, actors.headers("promoter"), customer, "2026-11-25T09:00:00Z")
    assert theirs["agent_id"] == str(other)

    plan = await client.get("/api/visits", params={"agent_id": str(agent), "date": "2026-11-25"}, headers=manager)
    assert [v["id"] for v in plan.json()["items"]] == [early["id"], late["id"]]
    own = await client.get("/api/visits", params={"date": "2026-11-25"}, headers=actors.headers("salesman"))
    assert [v["id"] for v in own.json()["items"]] == [early["id"], late["id"]]
    seller = actors.headers("salesman")
    assert (await client.get(f"/api/visits/{theirs['id']}", headers=seller)).status_code == 404
    check_in = {"latitude": -1.2921, "longitude": 36.8219, "accuracy_m": 5}
    assert (await client.post(f"/api/visits/{theirs['id']}/check-in", json=check_in, headers=seller)).status_code == 404
    for_other = await client.post(
        "/api/visits", json={"customer_id": str(customer), "agent_id": str(other), "planned_at": "2026-11-25T10:00:00Z"},
        headers=seller,
    )  # fmt: skip
    assert for_other.status_code == 403
    assert (await client.get("/api/visits", headers=actors.headers("warehouse_staff"))).status_code == 403
    history = await client.get(f"/api/customers/{customer}/visits", headers=seller)
    assert history.json()["total"] == 3
    stranger = actors.headers(tenant_id=uuid.uuid4())
    assert (await client.get(f"/api/visits/{early['id']}", headers=stranger)).status_code == 404


async def test_every_illegal_visit_step_is_409_and_changes_nothing(steps, client: httpx.AsyncClient) -> None:
    seller = steps.actors.headers("salesman")
    visit = await _plan(client, seller, await steps.customer(), "2026-11-25T08:00:00Z")
    url = f"/api/visits/{visit['id']}"
    where = {"latitude": -1.2921, "longitude": 36.8219, "accuracy_m": 5, "device_time": "2020-01-01T00:00:00Z"}
    assert (await client.post(url + "/check-out", json={"outcome": "no_order"}, headers=seller)).status_code == 409
    checked_in = await client.post(url + "/check-in", json=where, headers=seller)
    assert checked_in.status_code == 200
    assert checked_in.json()["checked_in_at"] > "2026" and checked_in.json()["device_time"].startswith("2020")
    again = await client.post(url + "/check-in", json={**where, "latitude": 0}, headers=seller)
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert (await client.post(url + "/cancel", headers=seller)).status_code == 409
    assert (await client.patch(url, json={"purpose": "x"}, headers=seller)).status_code == 409
    patched = await client.patch(url, json={"status": "checked_out"}, headers=seller)
    assert patched.status_code == 422 and patched.json()["errors"][0]["field"] == "status"
    after = (await client.get(url, headers=seller)).json()
    assert after["status"] == "checked_in" and after["latitude"] == -1.2921
    assert len(await steps.outbox("visit.checked_in")) == 1


async def test_bad_coordinates_or_missing_accuracy_are_422_naming_the_field(steps, client: httpx.AsyncClient) -> None:
    seller = steps.actors.headers("salesman")
    visit = await _plan(client, seller, await steps.customer(), "2026-11-25T08:00:00Z")
    url = f"/api/visits/{visit['id']}/check-in"
    cases = [
        ({"latitude": 91, "longitude": 0, "accuracy_m": 5}, "latitude"),
        ({"latitude": 0, "longitude": -181, "accuracy_m": 5}, "longitude"),
        ({"latitude": 0, "longitude": 0}, "accuracy_m"),
        ({"latitude": 0, "longitude": 0, "accuracy_m": -1}, "accuracy_m"),
    ]
    for body, field in cases:
        response = await client.post(url, json=body, headers=seller)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, body
    unknown = await client.post(
        "/api/visits", json={"customer_id": str(uuid.uuid4()), "planned_at": "2026-11-25T08:00:00Z"}, headers=seller
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "customer_id"
    naive = await client.post(
        "/api/visits", json={"customer_id": str(uuid.uuid4()), "planned_at": "2026-11-25T08:00:00"}, headers=seller
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "planned_at"


async def test_a_tenant_that_refuses_outside_check_ins_gets_409_and_the_visit_stays_planned(
    steps, client: httpx.AsyncClient
) -> None:
    actors = steps.actors
    assert (
        await client.put("/api/visits/policy", json={"geofence_policy": "refuse"}, headers=actors.headers("manager"))
    ).status_code == 403
    set_policy = await client.put("/api/visits/policy", json={"geofence_policy": "refuse"}, headers=actors.headers())
    assert set_policy.status_code == 200
    seller = actors.headers("salesman")
    visit = await _plan(client, seller, await steps.customer(radius=50), "2026-11-25T08:00:00Z")
    far = await client.post(
        f"/api/visits/{visit['id']}/check-in", json={"latitude": -1.2821, "longitude": 36.8219, "accuracy_m": 5},
        headers=seller,
    )  # fmt: skip
    assert far.status_code == 409 and far.json()["code"] == "out_of_geofence"
    assert 1000 < far.json()["distance_m"] < 1200 and far.json()["radius_m"] == 50
    assert (await client.get(f"/api/visits/{visit['id']}", headers=seller)).json()["status"] == "planned"
    near = await client.post(
        f"/api/visits/{visit['id']}/check-in", json={"latitude": -1.2921, "longitude": 36.8220, "accuracy_m": 5},
        headers=seller,
    )  # fmt: skip
    assert near.status_code == 200 and near.json()["out_of_geofence"] is False


async def test_positions_are_kept_and_managers_see_the_latest_per_agent(steps, client: httpx.AsyncClient) -> None:
    actors = steps.actors
    for role, latitude, at in (("salesman", 1.0, "2026-11-25T08:00:00Z"), ("salesman", 2.0, "2026-11-25T09:00:00Z"),
                               ("promoter", 3.0, "2026-11-25T08:30:00Z")):  # fmt: skip
        body = {"latitude": latitude, "longitude": 36.0, "accuracy_m": 12.5, "recorded_at": at}
        response = await client.post("/api/locations", json=body, headers=actors.headers(role))
        assert response.status_code == 201, response.text
    latest = await client.get("/api/locations/latest", headers=actors.headers("manager"))
    by_agent = {item["agent_id"]: item["latitude"] for item in latest.json()["items"]}
    assert by_agent == {str(actors.user_id("salesman")): 2.0, str(actors.user_id("promoter")): 3.0}
    assert (await client.get("/api/locations/latest", headers=actors.headers("salesman"))).status_code == 403
    bad = await client.post("/api/locations", json={"latitude": 0, "longitude": 200, "accuracy_m": 1},
                            headers=actors.headers("salesman"))  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "longitude"
    assert len(await steps.outbox("location.recorded")) == 3
