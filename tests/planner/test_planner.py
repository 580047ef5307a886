"""Planner rules: rule sets and availability rules (validation, features), replacing weekly and
date-specific availability in one command (overlaps refused and nothing changed), and isolation
across tenants on REST and GraphQL."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Api
from tests.planner.conftest import DATED, RULE_SETS, RULES, WEEKLY


async def rules_of(api: Api, subject: str) -> list[dict[str, Any]]:
    status, page = await api.get(RULES, params={"subjectIds": subject, "subjectType": "member"})
    assert status == 200, page
    return page["items"]


async def test_rule_sets_are_validated_and_need_the_manage_feature(planner_admin, planner_reader):
    status, reply = await planner_admin.post(RULE_SETS, {"name": "Bad", "timezone": "Mars/Olympus"})
    assert status == 400 and reply["details"][0]["path"] == ["timezone"]
    status, _ = await planner_reader.post(RULE_SETS, {"name": "Shop", "timezone": "UTC"})
    assert status == 403
    status, created = await planner_admin.post(
        RULE_SETS, {"name": " Shop hours ", "timezone": "Europe/Warsaw"}
    )
    assert status == 201
    status, _ = await planner_admin.put(RULE_SETS, {"id": created["id"], "description": "Mon-Fri"})
    assert status == 200
    status, page = await planner_admin.get(RULE_SETS, params={"ids": created["id"]})
    item = page["items"][0]
    assert (item["name"], item["description"], item["timezone"]) == ("Shop hours", "Mon-Fri", "Europe/Warsaw")
    assert {"organization_id", "tenant_id", "created_at", "updated_at"} <= set(item)
    status, _ = await planner_admin.delete(RULE_SETS, json={"id": created["id"]})
    assert status == 200
    status, page = await planner_admin.get(RULE_SETS, params={"ids": created["id"]})
    assert page["items"] == []


async def test_availability_rules_check_rrule_kind_and_subject(planner_admin):
    subject = str(uuid.uuid4())
    base = {"subjectType": "member", "subjectId": subject, "timezone": "Europe/Warsaw"}
    status, reply = await planner_admin.post(RULES, {**base, "rrule": "every monday"})
    assert status == 400 and "rrule" in reply["details"][0]["path"]
    status, _ = await planner_admin.post(RULES, {**base, "rrule": "RRULE:FREQ=DAILY", "kind": "maybe"})
    assert status == 400
    status, _ = await planner_admin.post(
        RULES, {**base, "subjectType": "planet", "rrule": "RRULE:FREQ=DAILY"}
    )
    assert status == 400
    rule = "DTSTART:20250106T090000\nDURATION:PT60M\nRRULE:FREQ=WEEKLY;BYDAY=MO"
    status, created = await planner_admin.post(RULES, {**base, "rrule": rule, "exdates": ["2025-01-13"]})
    assert status == 201
    status, _ = await planner_admin.put(
        RULES, {"id": created["id"], "note": "Dentist", "kind": "unavailability"}
    )
    assert status == 200
    [item] = await rules_of(planner_admin, subject)
    assert (item["rrule"], item["kind"], item["note"], item["exdates"]) == (
        rule,
        "unavailability",
        "Dentist",
        ["2025-01-13"],
    )
    status, _ = await planner_admin.delete(RULES, json={"id": created["id"]})
    assert status == 200 and await rules_of(planner_admin, subject) == []


async def test_weekly_availability_is_replaced_whole_and_overlaps_change_nothing(planner_admin):
    subject = str(uuid.uuid4())
    base = {"subjectType": "member", "subjectId": subject, "timezone": "Europe/Warsaw"}
    windows = [
        {"weekday": 0, "start": "09:00", "end": "17:00"},
        {"weekday": 4, "start": "08:00", "end": "12:30"},
    ]
    status, reply = await planner_admin.post(WEEKLY, {**base, "windows": windows})
    assert status == 200 and reply["ok"] and reply["created"] == 2
    rules = sorted(r["rrule"] for r in await rules_of(planner_admin, subject))
    assert rules == [
        "DTSTART:20240101T090000\nDURATION:PT480M\nRRULE:FREQ=WEEKLY;BYDAY=MO",
        "DTSTART:20240105T080000\nDURATION:PT270M\nRRULE:FREQ=WEEKLY;BYDAY=FR",
    ]
    overlapping = [
        {"weekday": 2, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "11:00", "end": "13:00"},
    ]
    status, reply = await planner_admin.post(WEEKLY, {**base, "windows": overlapping})
    assert status == 400 and reply["error"]
    status, _ = await planner_admin.post(
        WEEKLY, {**base, "windows": [{"weekday": 1, "start": "10:00", "end": "09:00"}]}
    )
    assert status == 400
    assert len(await rules_of(planner_admin, subject)) == 2  # nothing changed
    status, reply = await planner_admin.post(
        WEEKLY, {**base, "windows": [{"weekday": 6, "start": "10:00", "end": "11:00"}]}
    )
    assert status == 200 and (reply["created"], reply["removed"]) == (1, 2)
    assert [r["rrule"][-2:] for r in await rules_of(planner_admin, subject)] == ["SU"]


async def test_date_specific_rules_replace_their_dates_only(planner_admin):
    subject = str(uuid.uuid4())
    base = {"subjectType": "member", "subjectId": subject, "timezone": "UTC"}
    await planner_admin.post(WEEKLY, {**base, "windows": [{"weekday": 0, "start": "09:00", "end": "17:00"}]})
    day_off = {**base, "windows": [{"date": "2025-03-03"}], "isAvailable": False, "note": "Holiday"}
    status, reply = await planner_admin.post(DATED, day_off)
    assert status == 200 and reply["created"] == 1
    status, reply = await planner_admin.post(
        DATED, {**base, "windows": [{"date": "2025-03-03", "start": "10:00", "end": "12:00"}]}
    )
    assert (status, reply["removed"]) == (200, 1)
    kinds = sorted((r["kind"], "WEEKLY" in r["rrule"]) for r in await rules_of(planner_admin, subject))
    assert kinds == [("availability", False), ("availability", True)]
    status, _ = await planner_admin.post(DATED, {**base, "windows": []})
    assert status == 400


async def test_other_tenants_never_see_or_touch_availability(planner_admin, planner_stranger):
    subject = str(uuid.uuid4())
    status, created = await planner_admin.post(
        RULES,
        {"subjectType": "resource", "subjectId": subject, "timezone": "UTC", "rrule": "RRULE:FREQ=DAILY"},
    )
    assert status == 201
    status, page = await planner_stranger.get(RULES, params={"subjectIds": subject})
    assert status == 200 and page["items"] == []
    status, _ = await planner_stranger.put(RULES, {"id": created["id"], "note": "mine"})
    assert status == 404
    status, _ = await planner_stranger.delete(RULES, json={"id": created["id"]})
    assert status == 404
    query = "query($id: UUID!) { plannerAvailabilityRule(id: $id) { id } availabilityRules(ids: [$id]) { items { id } } }"
    theirs = await planner_stranger.gql(query, {"id": created["id"]})
    assert theirs["data"] == {"plannerAvailabilityRule": None, "availabilityRules": {"items": []}}
    mine = await planner_admin.gql(query, {"id": created["id"]})
    assert mine["data"]["plannerAvailabilityRule"] == {"id": created["id"]}


async def test_graphql_replaces_weekly_availability_through_the_same_operation(
    planner_admin, planner_stranger
):
    subject = str(uuid.uuid4())
    mutation = """mutation($subject: UUID!, $windows: [PlannerWeeklyWindowInput!]) {
      plannerReplaceWeekly(subjectType: "member", subjectId: $subject, timezone: "UTC", windows: $windows) {
        ok created removed
      }
    }"""
    windows = [{"weekday": 2, "start": "09:00", "end": "10:00"}]
    reply = await planner_admin.gql(mutation, {"subject": subject, "windows": windows})
    assert reply["data"]["plannerReplaceWeekly"] == {"ok": True, "created": 1, "removed": 0}
    overlapping = [*windows, {"weekday": 2, "start": "09:30", "end": "11:00"}]
    reply = await planner_admin.gql(mutation, {"subject": subject, "windows": overlapping})
    assert reply["errors"] and not (reply.get("data") or {}).get("plannerReplaceWeekly")
    listed = await planner_admin.gql(
        "query($s: [UUID!]) { availabilityRules(filter: {subjectIds: $s}) { items { rrule kind } } }",
        {"s": [subject]},
    )
    assert [r["rrule"][-2:] for r in listed["data"]["availabilityRules"]["items"]] == ["WE"]
    theirs = await planner_stranger.gql(
        "query($s: [UUID!]) { availabilityRules(filter: {subjectIds: $s}) { items { id } } }",
        {"s": [subject]},
    )
    assert theirs["data"]["availabilityRules"]["items"] == []
