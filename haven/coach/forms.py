"""Forms of the empathy coach. Replies are read and forgotten: no form here is ever saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haven.coach.engine.analysis import MAX_CHARS
from haven.core.idempotency import OnceForm
from haven.core.selectors import MAX_ID
from haven.core.text import HavenForm


def _check_length(text: str) -> str:
    if len(text) > MAX_CHARS:
        raise ValidationError(
            _("The coach reads at most %(max)s characters and this is %(length)s. Shorten it to "
              "get feedback."),
            params={"max": f"{MAX_CHARS:,}", "length": f"{len(text):,}"}, code="too_long")
    return text


class _TextField(forms.CharField):
    """Free text up to the coach's limit, with the limit's own clear message. No `maxlength`
    attribute: a browser would cut a pasted reply silently instead of saying why."""

    multiline = True  # replies have lines, even when a form carries one in a hidden input

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)  # an empty reply gets a gentle note, not an error
        kwargs.setdefault("strip", False)  # the coach's offsets are into the text as written
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return _check_length(super().clean(value))


class FeedbackForm(HavenForm):
    """The live coach: a draft reply and, outside conversations, what the colleague said."""

    reply = _TextField(label=_("Your reply"))
    seeker = _TextField(label=_("The colleague's message"))
    scenario = forms.SlugField(required=False, max_length=60)


class ConversationFeedbackForm(HavenForm):
    """The live coach in a conversation: the colleague's message is read on the server."""

    reply = _TextField(label=_("Your reply"))


class TryForm(HavenForm):
    seeker = _TextField(label=_("What the colleague wrote"), widget=forms.Textarea(attrs={
        "rows": 4}), help_text=_("Write or paste a message a colleague might send."))
    reply = _TextField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}),
                       help_text=_("The coach's feedback appears below as you type. Nothing "
                                   "you write here is stored."))


class PracticeForm(OnceForm):
    reply = _TextField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 7}),
                       help_text=_("Feedback appears as you type; submit to record your score. "
                                   "Your text is never stored."))
    attempt = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                 widget=forms.HiddenInput)


class FinishForm(HavenForm):
    attempt = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    # The final reply comes back only to be shown beside the example; it is never stored.
    reply = _TextField(widget=forms.HiddenInput)
