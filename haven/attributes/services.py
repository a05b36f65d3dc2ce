"""Writes for the attributes people may choose to share about themselves: administrators define
the questions; each colleague answers, changes or withdraws their own answers. A person's answer
is never audited, logged or returned to anyone but them (haven.attributes.selectors)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from haven.attributes.models import PersonAttribute, SharedAttribute
from haven.core.audit import audit
from haven.core.models import AuditAction, Person
from haven.core.text import max_length

NAME_MAX = max_length(SharedAttribute, "name")
QUESTION_MAX = max_length(SharedAttribute, "question")
OPTION_MAX = max_length(PersonAttribute, "value")
MIN_OPTIONS, MAX_OPTIONS = 2, 20
NOT_SAYING = "prefer not to say"  # offered by every question already; never an answer of its own


def field_name(attribute_id: int) -> str:
    """The form field (and ValidationError key) of one attribute's answer."""
    return f"attribute_{attribute_id}"


def _one_line(text: str) -> str:
    # Control characters go (PostgreSQL refuses NUL); runs of whitespace become one space.
    return " ".join("".join(char for char in text if char.isprintable() or char.isspace())
                    .split())


def clean_options(lines: Iterable[str]) -> list[str]:
    """The answers an administrator typed, one a line: blank lines skipped, each answer
    trimmed; 2 to 20 distinct answers (whatever the case) of up to 80 characters each."""
    options: list[str] = []
    seen: set[str] = set()
    for line in lines:
        option = _one_line(line)
        if not option:
            continue
        if len(option) > OPTION_MAX:
            raise ValidationError({"options": _(
                "Keep each answer to %(max)d characters; “%(start)s…” has %(n)d.") % {
                    "max": OPTION_MAX, "start": option[:30], "n": len(option)}})
        if option.casefold() == NOT_SAYING:
            raise ValidationError({"options": _(
                "Leave out “Prefer not to say”: every question offers it already, and it "
                "stores no answer.")})
        if option.casefold() in seen:
            raise ValidationError({"options": _("“%(option)s” is listed twice.")
                                   % {"option": option}})
        seen.add(option.casefold())
        options.append(option)
    if len(options) < MIN_OPTIONS:
        raise ValidationError({"options": _(
            "Give at least %(min)d answers to choose from, one a line.") % {"min": MIN_OPTIONS}})
    if len(options) > MAX_OPTIONS:
        raise ValidationError({"options": _(
            "Offer at most %(max)d answers; this has %(n)d.") % {
                "max": MAX_OPTIONS, "n": len(options)}})
    return options


def _clean_definition(*, name: str, question: str, options: Iterable[str],
                      attribute_id: int | None = None) -> tuple[str, str, list[str]]:
    name, question = _one_line(name), _one_line(question)
    namesakes = SharedAttribute.objects.filter(name__iexact=name)
    if attribute_id is not None:  # an edit: the attribute is no namesake of itself
        namesakes = namesakes.exclude(pk=attribute_id)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the attribute a name, such as “Working pattern”.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Keep the name to %(max)d characters.") % {"max": NAME_MAX}
    elif namesakes.exists():
        errors["name"] = _("There is already an attribute of that name.")
    if not question:
        errors["question"] = _("Write the question people will see.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("Keep the question to %(max)d characters.") % {"max": QUESTION_MAX}
    try:
        cleaned = clean_options(options)
    except ValidationError as error:
        errors.update({key: messages[0] for key, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return name, question, cleaned


def _audit_change(*, actor: Person, attribute: SharedAttribute, change: str, **detail: int) -> None:
    # The definition is programme configuration; no answer, count of answers or option text
    # goes in: a count of the answers withdrawn could be a group of one.
    audit(action=AuditAction.PROGRAMME_SETTINGS_CHANGED, actor=actor,
          object_type="shared_attribute", object_id=attribute.pk,
          detail={"change": change, **detail})


# Definitions (administrators) ------------------------------------------------------------------

def define_attribute(*, actor: Person, name: str, question: str,
                     options: Iterable[str]) -> SharedAttribute:
    name, question, cleaned = _clean_definition(name=name, question=question, options=options)
    try:
        with transaction.atomic():
            attribute = SharedAttribute.objects.create(name=name, question=question,
                                                       options=cleaned)
            _audit_change(actor=actor, attribute=attribute, change="created")
    except IntegrityError:  # a concurrent twin
        raise ValidationError({"name": _("There is already an attribute of that name.")}) \
            from None
    return attribute


def removed_options(attribute: SharedAttribute, options: Iterable[str]) -> list[str]:
    """The current answers that OPTIONS no longer offers (exact wording counts)."""
    kept = set(options)
    return [option for option in attribute.options if option not in kept]


def edit_attribute(*, actor: Person, attribute_id: int, name: str, question: str,
                   options: Iterable[str], withdraw_removed: bool = False) -> list[str]:
    """Save a new wording and answers. Removing an answer withdraws it from everyone who chose
    it, so it needs WITHDRAW_REMOVED; without it nothing changes. Returns the removed answers.

    The question is asked whether or not anyone chose the answer: asking only then would tell
    the administrator that somebody did."""
    name, question, cleaned = _clean_definition(name=name, question=question, options=options,
                                                attribute_id=attribute_id)
    try:
        with transaction.atomic():
            # Locked, so nobody saves an answer that this edit removes (see save_answers).
            attribute = SharedAttribute.objects.select_for_update().get(pk=attribute_id)
            removed = removed_options(attribute, cleaned)
            if removed and not withdraw_removed:
                raise ValidationError({"withdraw_removed": _(
                    "You are removing %(options)s. Tick the box to withdraw it from anyone "
                    "who chose it, or put it back.") % {
                        "options": ", ".join(f"“{option}”" for option in removed)}})
            attribute.name, attribute.question, attribute.options = name, question, cleaned
            attribute.save(update_fields=["name", "question", "options"])
            if removed:
                PersonAttribute.objects.filter(attribute=attribute, value__in=removed).delete()
            _audit_change(actor=actor, attribute=attribute, change="edited",
                          options_removed=len(removed))
    except IntegrityError:
        raise ValidationError({"name": _("There is already an attribute of that name.")}) \
            from None
    return removed


@transaction.atomic
def set_attribute_active(*, actor: Person, attribute_id: int, active: bool) -> bool:
    """Offer the question again, or stop offering it. Answers given stay (each person can still
    see and withdraw theirs) and count again if it is offered again. False: no such attribute."""
    attribute = SharedAttribute.objects.select_for_update().filter(pk=attribute_id).first()
    if attribute is None:
        return False
    if attribute.active != active:
        attribute.active = active
        attribute.save(update_fields=["active"])
        _audit_change(actor=actor, attribute=attribute,
                      change="reactivated" if active else "deactivated")
    return True


# Answers (each colleague, their own) ------------------------------------------------------------

@transaction.atomic
def save_answers(*, person: Person, answers: Mapping[int, str | None]) -> None:
    """Set PERSON's answers by attribute id; None ("prefer not to say") deletes the answer.
    Only questions on offer can be answered, only with one of their answers."""
    attributes = {attribute.pk: attribute for attribute in SharedAttribute.objects
                  .select_for_update().filter(pk__in=list(answers), active=True)}
    errors: dict[str, str] = {}
    for attribute_id, value in answers.items():
        attribute = attributes.get(attribute_id)
        if attribute is None:
            errors[field_name(attribute_id)] = _("This question is no longer asked.")
        elif value is not None and value not in attribute.options:
            errors[field_name(attribute_id)] = _(
                "That answer is no longer offered; choose one from the list.")
    if errors:
        raise ValidationError(errors)
    for attribute_id, value in answers.items():
        if value is None:
            PersonAttribute.objects.filter(person=person, attribute_id=attribute_id).delete()
        else:
            PersonAttribute.objects.update_or_create(person=person, attribute_id=attribute_id,
                                                     defaults={"value": value})


@transaction.atomic
def withdraw(*, person: Person, attribute_id: int | None = None) -> int:
    """Delete PERSON's answer to one attribute, or all of them; returns how many went."""
    answers = PersonAttribute.objects.filter(person=person)
    if attribute_id is not None:
        answers = answers.filter(attribute_id=attribute_id)
    return answers.delete()[0]
