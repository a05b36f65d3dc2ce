"""Create forms that make one record however often they are sent.

Every create form (a support request, a recognition, a comment, a question, an activity …)
carries a one-time token in a hidden field (`OnceForm`). The view runs the service through
`submit_once`, which records the submission in `core.FormSubmission` in the *same database
transaction* as the record it makes:

- the same token again (a double click, a resubmitted POST, a retry after a timeout) finds
  that row and answers with the path of what was made, and nothing is made again; two sends at
  the same moment race on the row's unique tag, and the loser is rolled back and answered the
  same way;
- the same person sending the same text through the same form within `REPEAT_WINDOW` (back,
  then send again: the browser fetches the form anew, with a new token, and restores what was
  typed) is answered the same way.

Where it lives, and why a table rather than the cache: the row commits or rolls back with the
record, so there is no moment where one exists without the other (a refused form leaves no
row and can be sent again); it works the same on the embedded install (whose cache is one
process's memory, not shared with a second server process) and in production (Redis would be
shared, but a cache write cannot be part of the database transaction). The rows are small and
short-lived: `forget_form_submissions` (a periodic job) blanks the content tag after
`REPEAT_WINDOW` and deletes the row after `KEPT`.

The API's create routes use the same table through `once_per_key` (an `Idempotency-Key`
header instead of a form token; docs/architecture.md, "Every create is made once").

The rows name nobody and hold no content: the tags are HMACs (keyed with the installation's
SECRET_KEY) of the person's id with the token or with what was typed; the path is the page
that shows the result (for an anonymous question, the author's own list, not the question).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from haven.core.models import FormSubmission, Person
from haven.core.text import HavenForm

TOKEN_FIELD = "form_token"
REPEAT_WINDOW = timedelta(minutes=10)
KEPT = timedelta(days=1)

Made = TypeVar("Made")


class OnceForm(HavenForm):
    """A create form: a hidden one-time token, new each time the form is shown. A missing or
    mangled token is no error (the person could do nothing about it): the submission is then
    recognised only by what was typed."""

    # None in a subclass that edits what its parent creates: no token, nothing to recognise.
    token_field: str | None = TOKEN_FIELD
    # Fields left out of the repeat check (e.g. a confirmation tick).
    repeat_ignores: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.token_field is None:
            return
        if self.token_field not in self.fields:
            self.fields[self.token_field] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=64)
        if not self.is_bound:
            self.initial.setdefault(self.token_field, str(uuid.uuid4()))

    def once_token(self) -> uuid.UUID | None:
        if self.token_field is None or not self.is_bound:
            return None
        raw = self.data.get(self.add_prefix(self.token_field))
        try:
            return uuid.UUID(str(raw)) if raw else None
        except ValueError:
            return None

    def once_content(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items()
                if name != self.token_field and name not in self.repeat_ignores}


@dataclass(frozen=True)
class Outcome(Generic[Made]):
    """What submit_once did: MADE is the new record, or None when the form had already been
    sent (REPEATED), and SHOWN_AT is the path that shows it either way."""

    made: Made | None
    shown_at: str

    @property
    def repeated(self) -> bool:
        return self.made is None


def _canonical(value: Any) -> str:
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        items: Iterable[Any] = value
        return "[" + ",".join(sorted(_canonical(item) for item in items)) + "]"
    if isinstance(value, str):
        return " ".join(value.split())  # a re-typed form differs in spaces at most
    return repr(value)


def _tag(*parts: str) -> str:
    return salted_hmac("haven.core.idempotency", "\x1f".join(parts),
                       algorithm="sha256").hexdigest()


def tags(*, person: Person, form: str, token: uuid.UUID | None,
         content: Mapping[str, Any]) -> tuple[str, str]:
    """The two tags of a submission: by its token (a random one when it has none, so that it
    matches nothing) and by what was typed."""
    typed = "\x1e".join(f"{name}={_canonical(content[name])}" for name in sorted(content))
    return (_tag("token", str(person.pk), form, str(token or uuid.uuid4())),
            _tag("content", str(person.pk), form, typed))


def _earlier(tag: str, repeat_tag: str, now: datetime) -> FormSubmission | None:
    same = Q(tag=tag)
    if repeat_tag:
        same |= Q(repeat_tag=repeat_tag, created_at__gte=now - REPEAT_WINDOW)
    return FormSubmission.objects.filter(same).exclude(shown_at="").order_by("created_at").first()


def submit_once(*, person: Person, form: OnceForm, make: Callable[[], Made],
                shown_at: Callable[[Made], str], name: str | None = None,
                anonymous: bool = False, by_content: bool = True,
                find_repeat: Callable[[], str | None] | None = None) -> Outcome[Made]:
    """Run MAKE (a service call) unless this form was already sent by this person; record the
    submission in the same transaction. SHOWN_AT gives the path showing what MAKE made. A
    ValidationError or Refused from MAKE rolls everything back, the record of the submission
    included, so the corrected form can be sent.

    ANONYMOUS (an anonymous question): the row keeps no content tag, since with SECRET_KEY one
    could test each person against the published text, and only the UTC day, not the time,
    which could be lined up with the author's other traces. FIND_REPEAT then finds the same
    text sent again (the app's own way, e.g. among the author's questions of the day) and
    returns the path that shows it.

    BY_CONTENT False: only the same token is the same submission, for forms whose text may
    rightly be sent again at once (a second access token of the same name after revoking the
    first)."""
    name = name or f"{type(form).__module__}.{type(form).__qualname__}"
    tag, repeat_tag = tags(person=person, form=name, token=form.once_token(),
                           content=form.once_content())
    now = timezone.now()
    if anonymous or not by_content:
        repeat_tag = ""
    if anonymous:
        now = now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            earlier = _earlier(tag, repeat_tag, now)
            if earlier is not None:
                return Outcome(None, earlier.shown_at)
            found = find_repeat() if find_repeat is not None else None
            if found is not None:
                return Outcome(None, found)
            # Claimed before making: a second send of the same token waits here (PostgreSQL)
            # until the first commits, then fails on the unique tag and is answered below.
            claim = FormSubmission.objects.create(tag=tag, repeat_tag=repeat_tag,
                                                  shown_at="", created_at=now)
            made = make()
            claim.shown_at = shown_at(made)[:300]
            claim.save(update_fields=["shown_at"])
            return Outcome(made, claim.shown_at)
    except IntegrityError:
        earlier = _earlier(tag, repeat_tag, now)
        if earlier is None:
            raise
        return Outcome(None, earlier.shown_at)


@dataclass(frozen=True)
class Answered:
    """An API create sent again with the same Idempotency-Key: the first answer's status and
    the id of what it made ("" for an anonymous create, whose record keeps no id)."""

    status: int
    made_id: str


def _answer(earlier: FormSubmission, body_tag: str) -> Answered:
    if earlier.body_tag != body_tag:
        raise ValidationError({"Idempotency-Key": _(
            "This Idempotency-Key was already used with a different request body, so "
            "nothing was done. Send a new key for a new request.")})
    return Answered(earlier.answer_status or 0, earlier.answer_id)


def once_per_key(*, person: Person, key: str | None, scope: str, body: Mapping[str, Any],
                 make: Callable[[], Made], made_id: Callable[[Made], object],
                 status: int = 201, anonymous: bool = False) -> Made | Answered:
    """The API's create with an Idempotency-Key: run MAKE once per person, SCOPE (the route)
    and KEY, recorded in the same transaction as what it makes, as submit_once does for
    forms. KEY again with the same BODY answers `Answered` (STATUS and MADE_ID of the first
    time) and makes nothing; with another body, a ValidationError. No KEY: MAKE as always.
    The key is remembered until the row is forgotten (KEPT). ANONYMOUS: the row keeps no id
    and only the UTC day, as for an anonymous question's form."""
    if not key:
        return make()
    tag = _tag("api-key", str(person.pk), scope, key)
    body_tag = _tag("api-body", str(person.pk), scope, key,
                    json.dumps(body, sort_keys=True, default=str))
    now = timezone.now()
    if anonymous:
        now = now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            earlier = FormSubmission.objects.filter(tag=tag).first()
            if earlier is not None:
                return _answer(earlier, body_tag)
            claim = FormSubmission.objects.create(tag=tag, body_tag=body_tag, shown_at="",
                                                  created_at=now)
            made = make()
            claim.answer_status = status
            claim.answer_id = "" if anonymous else str(made_id(made))[:64]
            claim.save(update_fields=["answer_status", "answer_id"])
            return made
    except IntegrityError:
        earlier = FormSubmission.objects.filter(tag=tag).first()
        if earlier is None:
            raise
        return _answer(earlier, body_tag)


def already_sent(request: HttpRequest, outcome: Outcome[Any]) -> HttpResponseRedirect:
    """The answer to a form sent again: what it made the first time, and why they see it."""
    messages.info(request, _("You had already sent this, so nothing new was made: here is "
                             "what you sent."))
    return redirect(outcome.shown_at)


def forget_form_submissions(*, now: datetime | None = None) -> int:
    """Blank content tags past the repeat window; delete rows past KEPT."""
    now = now or timezone.now()
    deleted, _by_model = FormSubmission.objects.filter(created_at__lt=now - KEPT).delete()
    blanked = FormSubmission.objects.filter(created_at__lt=now - REPEAT_WINDOW).exclude(
        repeat_tag="").update(repeat_tag="")
    return deleted + blanked
