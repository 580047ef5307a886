"""Self-service onboarding: the sign-up answer never tells whether an address has an account, the
verification link (stored as a digest) is single-use and expiring and provisions an isolated tenant
with its admin, mail goes through the outbox (delivered over real SMTP), every route is rate limited."""

from __future__ import annotations

import asyncio
import email as email_parser
import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from crmgraph.security import token_digest
from models.auth import EmailOutbox, UserConsent
from models.onboarding import OnboardingRequest
from tests.conftest import login
from tests.example.conftest import visitor
from tests.test_password_reset import Inbox, free_port
from workers.mail import send_email

START = "/api/onboarding/onboarding"


def form(email: str, **extra) -> dict:
    return {
        "email": email,
        "firstName": "Iga",
        "lastName": "Rider",
        "organizationName": "Iga Moto",
        "password": "ride-safe-123",
        "termsAccepted": True,
        **extra,
    }


def fresh_email() -> str:
    return f"iga-{uuid.uuid4().hex[:10]}@example.com"


async def mails_to(sessionmaker, email: str) -> list[EmailOutbox]:
    async with sessionmaker() as session:
        query = select(EmailOutbox).where(EmailOutbox.to_address == email).order_by(EmailOutbox.created_at)
        return list((await session.execute(query)).scalars())


async def deliver(settings, sessionmaker, mail: EmailOutbox) -> str:
    """Send one outbox mail to a real local SMTP server; the message as received."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        worker_ctx = {
            "settings": replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"),
            "sessionmaker": sessionmaker,
        }
        assert await send_email(worker_ctx, str(mail.id)) == "sent"
    finally:
        await asyncio.to_thread(controller.stop)
    received = email_parser.message_from_string(inbox.messages[0])
    return received.get_payload(decode=True).decode()


async def test_sign_up_verify_and_sign_in(proxied, client, settings, sessionmaker):
    anyone, email = visitor(proxied), fresh_email()
    status, body = await anyone.post(START, form(email, marketingConsent=True))
    assert status == 200 and body["ok"] is True and body["email"] == email
    status_path = f"{START}/status?token={body['statusToken']}"
    status, state = await anyone.get(status_path)
    assert (status, state["status"], state["ready"], state["tenantId"]) == (200, "pending", False, None)

    (mail,) = await mails_to(sessionmaker, email)
    assert mail.expires_at is not None  # a secret-bearing mail: purged if undelivered in time
    message = await deliver(settings, sessionmaker, mail)
    token = re.search(r"verify\?token=(\S+)", message).group(1)
    async with sessionmaker() as session:
        request = await session.scalar(select(OnboardingRequest).where(OnboardingRequest.email == email))
    assert request.token_hash == token_digest(token) and token not in request.token_hash  # a digest only

    status, done = await anyone.get(f"{START}/verify?token={token}")
    assert status == 200 and done["status"] == "completed", done
    assert (await anyone.get(f"{START}/verify?token={token}"))[0] == 400  # single use
    status, state = await anyone.get(status_path)
    assert state["status"] == "completed" and state["tenantId"] == done["tenantId"] and state["loginUrl"]

    admin = await login(client, email, "ride-safe-123")
    status, orgs = await admin.get("/api/directory/organizations")
    assert [(o["name"], o["tenantId"]) for o in orgs["items"]] == [("Iga Moto", done["tenantId"])]
    status, profile = await admin.get("/api/auth/profile")
    assert status == 200 and profile["email"] == email
    async with sessionmaker() as session:
        request = await session.get(OnboardingRequest, request.id)
        consents = set(
            (
                await session.execute(
                    select(UserConsent.consent_type).where(UserConsent.user_id == request.user_id)
                )
            ).scalars()
        )
    assert request.password_hash is None and str(request.tenant_id) == done["tenantId"]
    assert consents == {"terms_of_service", "marketing_email"}
    ready = (await mails_to(sessionmaker, email))[-1]
    assert ready.subject == "Your workspace is ready"


async def test_the_answer_does_not_tell_whether_the_address_has_an_account(proxied, eworld, sessionmaker):
    taken, new = eworld.emails["manager"], fresh_email()
    answers = [await visitor(proxied).post(START, form(address)) for address in (taken, new)]
    assert [status for status, _ in answers] == [200, 200]
    assert [set(body) for _, body in answers] == [{"ok", "email", "statusToken"}] * 2
    for _, body in answers:
        status, state = await visitor(proxied).get(f"{START}/status?token={body['statusToken']}")
        assert (status, state["status"]) == (200, "pending")
    (notice,) = await mails_to(sessionmaker, taken)
    assert notice.subject == "You already have an account" and "Iga Moto" not in notice.body
    async with sessionmaker() as session:
        made = await session.scalar(select(OnboardingRequest.id).where(OnboardingRequest.email == taken))
    assert made is None


async def test_one_mail_per_recipient_and_ten_minutes(proxied, sessionmaker):
    email = fresh_email()
    for _ in range(3):  # from different addresses: the recipient's budget is what counts
        assert (await visitor(proxied).post(START, form(email)))[0] == 200
    assert len(await mails_to(sessionmaker, email)) == 1


async def test_submissions_are_rate_limited_per_client_address(proxied):
    greedy = visitor(proxied)
    statuses = [(await greedy.post(START, form(fresh_email())))[0] for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert (await visitor(proxied).post(START, form(fresh_email())))[0] == 200


async def test_invalid_forms(proxied):
    anyone = visitor(proxied)
    for broken in (
        form(fresh_email(), termsAccepted=False),
        form(fresh_email(), password="short"),
        form(fresh_email(), confirmPassword="something-else"),
        form("not-an-email"),
        {"email": fresh_email()},
    ):
        status, body = await anyone.post(START, broken)
        assert status == 400 and body["error"] == "Validation failed", broken


async def test_expired_forged_and_superseded_tokens(proxied, sessionmaker):
    anyone, email = visitor(proxied), fresh_email()
    await anyone.post(START, form(email))
    (mail,) = await mails_to(sessionmaker, email)
    token = re.search(r"verify\?token=(\S+)", mail.body).group(1)
    async with sessionmaker() as session:
        await session.execute(
            update(OnboardingRequest)
            .where(OnboardingRequest.email == email)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    assert await anyone.get(f"{START}/verify?token={token}") == (400, {"error": "Invalid or expired token"})
    assert (await anyone.get(f"{START}/verify?token={'x' * 43}"))[0] == 400
    assert (await anyone.get(f"{START}/verify"))[0] == 400


async def test_status_tokens_are_not_staff_tokens_and_vice_versa(proxied, client, eworld):
    anyone = visitor(proxied)
    _, body = await anyone.post(START, form(fresh_email()))
    staff = (await login(client, eworld.admin_email)).headers["Authorization"].split()[1]
    assert (await anyone.get(f"{START}/status?token={staff}"))[0] == 404
    assert (await anyone.get(f"{START}/status?token=garbage"))[0] == 404
    bearer = {"Authorization": f"Bearer {body['statusToken']}"}
    assert (await anyone.get("/api/auth/profile", headers=bearer))[0] == 401


async def test_demo_feedback_mails_the_admin_and_one_copy(proxied, settings, sessionmaker):
    anyone, email = visitor(proxied), fresh_email()
    payload = {"email": email, "message": "Great demo", "termsAccepted": True, "sendCopy": True}
    assert await anyone.post("/api/onboarding/demo-feedback", payload) == (
        200,
        {"ok": True, "copySent": True},
    )
    assert await anyone.post("/api/onboarding/demo-feedback", payload) == (
        200,
        {"ok": True, "copySent": False},
    )
    (copy,) = await mails_to(sessionmaker, email)
    assert "Great demo" in copy.body
    async with sessionmaker() as session:
        to_admin = (
            await session.execute(
                select(EmailOutbox).where(EmailOutbox.subject == f"Demo feedback from {email}")
            )
        ).scalars()
        assert len(list(to_admin)) == 2
    assert (await anyone.post("/api/onboarding/demo-feedback", {**payload, "termsAccepted": False}))[0] == 400
    statuses = [(await anyone.post("/api/onboarding/demo-feedback", payload))[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # five sent per address and five minutes


async def test_graphql_sign_up_is_the_same_operation(proxied):
    anyone = visitor(proxied)
    reply = await anyone.gql(
        'mutation($e: String!) { startOnboarding(email: $e, firstName: "G", lastName: "Q", '
        'organizationName: "GQ", password: "secret-123", termsAccepted: true) { ok statusToken } }',
        {"e": fresh_email()},
    )
    assert reply["data"]["startOnboarding"]["ok"] is True, reply
    token = reply["data"]["startOnboarding"]["statusToken"]
    reply = await anyone.gql(
        "query($t: String!) { onboardingStatus(token: $t) { status ready } }", {"t": token}
    )
    assert reply["data"]["onboardingStatus"] == {"status": "pending", "ready": False}


async def test_request_sessions_cannot_read_sign_ups(settings, sessionmaker, eworld):
    """Sign-ups hold password hashes before any tenant exists: they live where no request session
    (the tenant-scoped role) may read, whatever its tenant."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from crmgraph.context import Principal, RequestContext

    principal = Principal(subject="test", tenant_id=eworld.tenant_id, org_id=None)
    ctx = RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)
    async with ctx.read_session() as session:
        try:
            await session.execute(text("SELECT count(*) FROM crmgraph_private.onboarding_requests"))
            raise AssertionError("the request role read the sign-ups")
        except DBAPIError as exc:
            assert "permission denied" in str(exc.orig).lower()
    async with ctx.read_session(system=True) as session:  # the onboarding routes' system sessions
        assert await session.scalar(text("SELECT count(*) FROM crmgraph_private.onboarding_requests")) >= 0
