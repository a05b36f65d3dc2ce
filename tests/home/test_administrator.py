"""The administrators' set-up checklist on Home, each line flipping as the work is done, and
the "Send me a test e-mail" button."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.test import Client

from haven.core import services as directory
from haven.core.models import Person, Role
from haven.support.programme import update_programme_settings
from haven.vault import crypto
from haven.vault import services as vault
from haven.vault.masterkeys import generate_master_key
from haven.vault.models import DataKey
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def states(client: Client) -> dict[str, str]:
    """Each checklist line's title and its state ("done" or "to do")."""
    body = client.get("/").content.decode()
    return dict(re.findall(r'<li><strong>([^<]+)</strong> <span class="badge">([^<]+)</span>',
                           body))


def not_signed_up() -> Person:
    person = make_person()
    person.set_unusable_password()
    person.save()
    return person


@pytest.fixture
def admin(db: None) -> Person:
    return make_person(Role.ADMINISTRATOR)


@pytest.fixture
def client(admin: Person) -> Client:
    return signed_in(admin)


@pytest.fixture
def fresh_keys() -> Iterator[None]:
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()
    yield
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()


def test_the_checklist_lists_every_step(client: Client) -> None:
    assert set(states(client)) == {"People imported", "Invitations sent", "Master keys",
                                   "Programme settings reviewed", "E-mail delivery"}


def test_people_and_invitations_flip_to_done_as_they_happen(client: Client,
                                                            admin: Person) -> None:
    assert states(client)["People imported"] == "to do"  # the administrator alone
    waiting = [not_signed_up() for _ in range(3)]

    assert states(client)["People imported"] == "done"
    assert states(client)["Invitations sent"] == "to do"
    assert "3 not invited yet; 0 invited and not signed up yet (pending)" in \
        client.get("/").content.decode()

    directory.invite_everyone_waiting(actor=admin)

    assert states(client)["Invitations sent"] == "done"
    assert "0 not invited yet; 3 invited and not signed up yet (pending); 1 signed up" in \
        client.get("/").content.decode()
    assert len(waiting) == 3


def test_programme_settings_flip_to_done_once_an_administrator_saves_them(
        client: Client, admin: Person) -> None:
    assert states(client)["Programme settings reviewed"] == "to do"

    update_programme_settings(actor=admin, response_target_hours=8)

    assert states(client)["Programme settings reviewed"] == "done"


def test_master_keys_show_how_many_and_flip_back_until_a_rotation_is_done(
        client: Client, settings: object, fresh_keys: None) -> None:
    first = settings.HAVEN_MASTER_KEYS  # type: ignore[attr-defined]
    new = generate_master_key("new")
    crypto.create_data_key(purpose="conversation")
    assert states(client)["Master keys"] == "done"

    settings.HAVEN_MASTER_KEYS = f"{new},{first}"  # type: ignore[attr-defined]
    crypto.master_keys.cache_clear()
    body = client.get("/").content.decode()
    older = DataKey.objects.filter(wrapped__isnull=False).count()
    assert f"2 held; current key “new”. {older} data keys are still under an older key" in body
    assert states(client)["Master keys"] == "to do"

    vault.rotate_master_keys()

    assert states(client)["Master keys"] == "done"
    assert "Every data key is under the current key." in client.get("/").content.decode()


def test_email_is_to_do_while_nothing_is_delivered(client: Client, settings: object) -> None:
    body = client.get("/").content.decode()
    assert states(client)["E-mail delivery"] == "to do"
    assert "Backend: locmem." in body and "set EMAIL_URL" in body

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]

    assert states(client)["E-mail delivery"] == "done"


def test_the_test_email_goes_to_the_administrator(client: Client, admin: Person) -> None:
    response = client.post("/home/test-email/", follow=True)

    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [[admin.email]]
    assert mail.outbox[0].subject == "Haven test e-mail"
    assert f"A test e-mail is on its way to {admin.email}." in response.content.decode()


def test_a_failing_mail_server_is_shown_clearly_and_is_no_500(client: Client,
                                                              settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # type: ignore[attr-defined]
    settings.EMAIL_TIMEOUT = 5  # type: ignore[attr-defined]

    response = client.post("/home/test-email/", follow=True)

    assert response.status_code == 200
    body = response.content.decode()
    assert "The test e-mail could not be sent (ConnectionRefusedError)." in body
    assert "127.0.0.1" not in body


def test_only_administrators_send_a_test_email_and_only_by_post(client: Client) -> None:
    assert signed_in(make_person(Role.COORDINATOR)).post("/home/test-email/").status_code == 403
    assert signed_in(make_person()).post("/home/test-email/").status_code == 403
    assert client.get("/home/test-email/").status_code == 405
    assert mail.outbox == []


def test_others_see_no_checklist(db: None) -> None:
    body = signed_in(make_person(Role.COORDINATOR)).get("/").content.decode()

    assert "Send me a test e-mail" not in body and "People imported" not in body
