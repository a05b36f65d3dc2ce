"""Signing in and out, idle sessions, invitations, password reset and two-factor sign-in."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from haven.core import services
from haven.core.audit import hash_identifier
from haven.core.models import AuditAction, AuditEvent, Person, Role
from tests.conftest import signed_in
from tests.factories import PASSWORD, TOTP_SECRET, make_person

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
MFA_STAGE = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
TOTP_DEACTIVATE = "/accounts/2fa/totp/deactivate/"
NEW_PASSWORD = "a quiet meadow at dawn 42"

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"login": email, "password": password})


def totp_code(secret: str = TOTP_SECRET) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    """Allauth asks for the password again before MFA changes, even just after signing in."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302


def is_signed_in(client: Client) -> bool:
    response = client.get("/profile/")
    return response.status_code == 200


def row_text(event: AuditEvent) -> str:
    """Every stored value of an audit row, as one string, to search for leaked content."""
    return " ".join(str(getattr(event, field.attname)) for field in AuditEvent._meta.fields)


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- signing in and out ---------------------------------------------------------------------

def test_it_signs_in_with_email_and_password_and_audits_it() -> None:
    person = make_person()
    client = Client()

    response = sign_in(client, person.email)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.actor_id == person.pk
    assert event.object_type == "person"
    assert event.object_id == str(person.pk)
    assert len(event.ip_hash) == 16
    assert event.ip_hash == hash_identifier("127.0.0.1")
    assert person.email not in row_text(event)
    assert "@" not in str(event.detail)


def test_it_signs_in_whatever_the_case_of_the_email() -> None:
    make_person(email="kasia.novak@example.org")
    client = Client()

    sign_in(client, "Kasia.Novak@Example.ORG")

    assert is_signed_in(client)


def test_a_wrong_password_is_refused_and_audited_without_the_email() -> None:
    person = make_person()
    client = Client()

    response = sign_in(client, person.email, "not the password at all")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_signed_in(client)
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.actor_id is None
    assert event.object_id == str(person.pk)
    assert event.detail["login_hash"] == hash_identifier(person.email)
    assert event.ip_hash == hash_identifier("127.0.0.1")
    text = row_text(event)
    assert person.email not in text
    assert person.email.split("@")[0] not in text
    assert "not the password" not in text
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()


def test_the_audit_hashes_the_servers_client_address_never_a_header_anyone_can_send() -> None:
    """The server (uvicorn) puts a trusted proxy's X-Forwarded-For into REMOTE_ADDR; Django
    never reads the header itself (tests/deploy/test_nginx.py runs the proxy)."""
    person = make_person()
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

    sign_in(client, person.email)

    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.ip_hash == hash_identifier("10.0.0.2")


def test_a_failed_sign_in_for_an_unknown_address_is_audited_without_the_address() -> None:
    client = Client()

    sign_in(client, "nobody.here@example.org", "whatever it is")

    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.object_id == ""
    assert event.detail["login_hash"] == hash_identifier("nobody.here@example.org")
    assert "nobody.here" not in row_text(event)


def test_it_refuses_the_sixth_failed_sign_in_even_with_the_right_password() -> None:
    person = make_person()
    client = Client()
    for _attempt in range(5):
        assert sign_in(client, person.email, "wrong password").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 5

    response = sign_in(client, person.email, PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_signed_in(client)
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()
    refused = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).first()
    assert refused is not None
    assert refused.detail == {"login_hash": hash_identifier(person.email),
                              "reason": "rate_limited"}


def test_the_failed_sign_in_limit_is_per_account() -> None:
    target, other = make_person(), make_person()
    client = Client()
    for _attempt in range(6):
        sign_in(client, target.email, "wrong password")

    sign_in(client, other.email)

    assert is_signed_in(client)


def test_signing_out_needs_a_post_and_is_audited() -> None:
    person = make_person()
    client = Client()
    sign_in(client, person.email)

    response = client.get(LOGOUT)

    assert response.status_code == 200  # a page asking to confirm, nothing more
    assert is_signed_in(client)
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_OUT).exists()

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert not is_signed_in(client)
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert event.actor_id == person.pk
    assert event.ip_hash


def test_changing_the_password_is_audited() -> None:
    person = make_person()
    client = Client()
    sign_in(client, person.email)

    response = client.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.actor_id, event.object_id) == (person.pk, str(person.pk))
    assert NEW_PASSWORD not in row_text(event)


# --- idle sessions --------------------------------------------------------------------------

def _session_of(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_session_lasts_thirty_minutes_from_the_last_request() -> None:
    assert settings.SESSION_COOKIE_AGE == 1800
    person = make_person()
    client = Client()
    sign_in(client, person.email)
    session = _session_of(client)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))

    assert client.get("/").status_code == 200

    expires_in = _session_of(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < expires_in <= timedelta(minutes=30)


def test_page_views_write_the_session_at_most_once_a_minute() -> None:
    client = Client()
    sign_in(client, make_person().email)
    written = _session_of(client).expire_date

    # Within the minute: the row is left as it was, however many pages are opened.
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert _session_of(client).expire_date == written

    # A row that would move by more than a minute is saved again.
    Session.objects.filter(session_key=_session_of(client).pk).update(
        expire_date=written - timedelta(seconds=61))
    assert client.get("/").status_code == 200
    assert _session_of(client).expire_date > written


def test_an_idle_session_expires_and_the_next_request_goes_to_sign_in() -> None:
    person = make_person()
    client = Client()
    sign_in(client, person.email)
    assert client.get("/").status_code == 200
    Session.objects.filter(pk=_session_of(client).pk).update(
        expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get("/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/profile/")


def test_the_session_cookie_is_not_kept_after_the_browser_closes() -> None:
    person = make_person()
    client = Client()

    response = sign_in(client, person.email)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


# --- no open sign-up ------------------------------------------------------------------------

def test_open_sign_up_is_closed() -> None:
    client = Client()

    assert client.get("/accounts/signup/").status_code == 404
    response = client.post("/accounts/signup/", {"email": "new@example.org",
                                                 "password1": NEW_PASSWORD})

    assert response.status_code == 404
    assert not Person.objects.filter(email="new@example.org").exists()


# --- password reset -------------------------------------------------------------------------

def test_a_password_reset_emails_only_a_link_that_works(
        commit) -> None:  # type: ignore[no-untyped-def]
    person = make_person(name="Efua Mensah")
    client = Client()

    with commit():  # queued after commit, like every e-mail (tests/core/test_mail_outage.py)
        response = client.post("/accounts/password/reset/", {"email": person.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    links = links_in(message.body)
    assert len(links) == 1
    for private in (person.name, "Efua", person.team.name, person.password, PASSWORD):
        assert private not in message.body
        assert private not in message.subject
    assert not message.attachments

    form_page = client.get(path_of(links[0]), follow=True)
    assert form_page.status_code == 200
    assert "password1" in form_page.context["form"].fields
    response = client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain
                           else path_of(links[0]),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET,
                                     actor=person).exists()
    fresh = Client()
    sign_in(fresh, person.email, NEW_PASSWORD)
    assert is_signed_in(fresh)
    reused = Client().get(path_of(links[0]), follow=True)
    assert reused.context["token_fail"]


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
        commit) -> None:  # type: ignore[no-untyped-def]
    person = make_person()
    client = Client()

    with commit():
        known = client.post("/accounts/password/reset/", {"email": person.email})
        unknown = client.post("/accounts/password/reset/",
                              {"email": "stranger@elsewhere.example"})

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert [message.to for message in mail.outbox] == [[person.email]]


# --- invitations ----------------------------------------------------------------------------

def _invite(person: Person, actor: Person | None, django_capture_on_commit_callbacks) -> str:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_invitation(person=person, actor=actor)


def test_an_invitation_emails_a_link_that_opens_the_password_form(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    admin = make_person(Role.ADMINISTRATOR)
    person = make_person(password=None)

    url = _invite(person, admin, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert links_in(mail.outbox[0].body) == [url]
    assert url.startswith(settings.HAVEN_BASE_URL)
    person.refresh_from_db()
    assert person.invited_at is not None
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert (event.actor_id, event.object_id) == (admin.pk, str(person.pk))

    response = Client().get(path_of(url))

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"password1", "password2"}


def test_mismatched_passwords_are_refused_and_nothing_is_saved(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = make_person(password=None)
    path = path_of(_invite(person, None, django_capture_on_commit_callbacks))

    response = Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})

    assert response.status_code == 200
    assert "The two passwords differ." in response.context["form"].errors["password2"]
    assert NEW_PASSWORD not in response.content.decode()  # passwords are never echoed
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert not AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).exists()


def test_a_weak_password_is_refused_with_the_reason(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = make_person(password=None)
    path = path_of(_invite(person, None, django_capture_on_commit_callbacks))

    response = Client().post(path, {"password1": "short", "password2": "short"})

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_accepting_an_invitation_sets_the_password_once(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = make_person(password=None)
    path = path_of(_invite(person, None, django_capture_on_commit_callbacks))
    client = Client()

    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_ACCEPTED)
    assert (event.actor_id, event.object_id) == (person.pk, str(person.pk))

    assert client.get(path).status_code == 400
    again = client.post(path, {"password1": "another fine password 7",
                               "password2": "another fine password 7"})
    assert again.status_code == 400
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    sign_in(client, person.email, NEW_PASSWORD)
    assert is_signed_in(client)


def test_the_service_refuses_a_used_invitation_token(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = make_person(password=None)
    token = _invite(person, None, django_capture_on_commit_callbacks).rstrip("/").split("/")[-1]
    stale = Person.objects.get(pk=person.pk)  # what a second, simultaneous request loaded
    services.accept_invitation(person=person, token=token, password=NEW_PASSWORD)

    with pytest.raises(services.ValidationError):
        services.accept_invitation(person=stale, token=token, password="the second password 9")

    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).count() == 1


def test_an_invitation_cannot_be_sent_to_someone_who_has_a_password() -> None:
    person = make_person()

    with pytest.raises(services.ValidationError):
        services.send_invitation(person=person, actor=None)

    assert not mail.outbox
    assert not AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).exists()


@pytest.mark.parametrize("path", [
    "/invitation/MQ/not-a-token/",
    "/invitation/!!!/x/",
    "/invitation/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-def/",  # a 25-digit person id
    "/invitation/LTE/abc-def/",  # "-1"
])
def test_an_invalid_invitation_link_gets_a_400_page(path: str) -> None:
    make_person(password=None)

    response = Client().get(path)

    assert response.status_code == 400
    assert "This invitation link does not work" in response.content.decode()


def test_an_invitation_link_for_someone_else_does_not_work(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    invited, other = make_person(password=None), make_person(password=None)
    url = _invite(invited, None, django_capture_on_commit_callbacks)
    uid = services.urlsafe_base64_encode(str(other.pk).encode())
    forged = re.sub(r"/invitation/[^/]+/", f"/invitation/{uid}/", path_of(url))

    response = Client().post(forged, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 400
    other.refresh_from_db()
    assert not other.has_usable_password()


# --- two-factor authentication --------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/profile/", "/directory/", "/profile/tokens/",
                                  "/accounts/password/change/"])
def test_a_coordinator_without_totp_is_sent_to_set_it_up_from_every_page(path: str) -> None:
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    client = Client()
    sign_in(client, coordinator.email)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == TOTP_ACTIVATE


def test_a_coordinator_without_totp_gets_403_json_from_the_api() -> None:
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    client = Client()
    sign_in(client, coordinator.email)

    for path in ("/api/v1/me", "/api/v1/directory/people"):
        response = client.get(path)
        assert response.status_code == 403
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert "two-factor" in response.json()["message"]


def test_a_coordinator_sets_up_totp_through_the_pages_and_it_is_audited(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    client = Client()
    sign_in(client, coordinator.email)
    assert client.get(TOTP_ACTIVATE)["Location"].startswith("/accounts/reauthenticate/")
    reauthenticate(client)

    page = client.get(TOTP_ACTIVATE)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    wrong = client.post(TOTP_ACTIVATE, {"code": "000000" if totp_code(secret) != "000000"
                                        else "111111"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=coordinator).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=coordinator,
                                        type=Authenticator.Type.TOTP).exists()
    added = AuditEvent.objects.filter(action=AuditAction.MFA_ADDED, actor=coordinator)
    assert {event.detail["type"] for event in added} == {"totp", "recovery_codes"}
    assert all(event.ip_hash for event in added)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_a_coordinator_with_totp_signs_in_through_the_second_step() -> None:
    coordinator = make_person(Role.COORDINATOR)
    client = Client()

    response = sign_in(client, coordinator.email)

    assert response.status_code == 302
    assert response["Location"] == MFA_STAGE
    assert not is_signed_in(client)
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()

    response = client.post(MFA_STAGE, {"code": totp_code()})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/directory/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, actor=coordinator).count() == 1


def test_a_wrong_second_step_code_does_not_sign_in() -> None:
    coordinator = make_person(Role.COORDINATOR)
    client = Client()
    sign_in(client, coordinator.email)
    wrong = "000000" if totp_code() != "000000" else "111111"

    response = client.post(MFA_STAGE, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_signed_in(client)
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert (failed.object_id, failed.detail) == (str(coordinator.pk),
                                                 {"reason": "wrong_mfa_code"})


def test_removing_totp_through_the_pages_is_audited() -> None:
    person = make_person(mfa=True)  # a colleague may choose TOTP too
    client = Client()
    sign_in(client, person.email)
    client.post(MFA_STAGE, {"code": totp_code()})
    reauthenticate(client)
    assert client.get(TOTP_DEACTIVATE).status_code == 200

    response = client.post(TOTP_DEACTIVATE)

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person).exists()
    removed = AuditEvent.objects.filter(action=AuditAction.MFA_REMOVED, actor=person)
    assert {event.detail["type"] for event in removed} <= {"totp", "recovery_codes"}
    assert "totp" in {event.detail["type"] for event in removed}


def test_a_coordinator_who_removes_totp_must_set_it_up_again() -> None:
    coordinator = make_person(Role.COORDINATOR)
    client = Client()
    sign_in(client, coordinator.email)
    client.post(MFA_STAGE, {"code": totp_code()})
    reauthenticate(client)

    assert client.post(TOTP_DEACTIVATE).status_code == 302

    assert client.get("/directory/").headers["Location"] == TOTP_ACTIVATE


def test_a_colleague_is_not_asked_for_totp() -> None:
    client = signed_in(make_person())

    assert client.get("/").status_code == 200


def test_a_stranger_requesting_a_password_reset_cannot_block_someones_mfa_set_up() -> None:
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    Client().post("/accounts/password/reset/", {"email": coordinator.email})
    client = Client()
    sign_in(client, coordinator.email)
    reauthenticate(client)
    client.get(TOTP_ACTIVATE)
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()


def test_reauthentication_asks_for_the_password_and_offers_no_e_mailed_code() -> None:
    """A code sent to the mailbox would let whoever reads it change MFA or the password."""
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    client = Client()
    sign_in(client, coordinator.email)

    page = client.get("/accounts/reauthenticate/")

    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    assert "/accounts/reauthenticate/code/" not in page.content.decode()
    for path in ("/accounts/reauthenticate/code/", "/accounts/reauthenticate/code/confirm/"):
        assert client.get(path).status_code == 404
        assert client.post(path, {"code": "ABCDEF"}).status_code == 404
    assert not mail.outbox
