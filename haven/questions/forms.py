"""Forms for open questions. Validation of meaning lives in the services; these forms parse
input and give every control a label."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.idempotency import OnceForm
from haven.core.text import HavenForm
from haven.questions.models import ANSWER_MAX, QUESTION_MAX, REASON_MAX


class QuestionForm(OnceForm):
    text = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=QUESTION_MAX,
                           help_text=_("A coordinator reads it before it is published."))
    anonymous = forms.TypedChoiceField(
        label=_("Ask as"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        initial="no", choices=[("no", _("Myself, with my name")),
                               ("yes", _("Anonymously: nobody is shown who asked"))])


class ModerationForm(HavenForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("publish", _("Publish")),
                                          ("reject", _("Do not publish"))])
    reason = forms.CharField(label=_("Reason (shown to the author if not published)"),
                             max_length=REASON_MAX, required=False)


class AnswerForm(HavenForm):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=ANSWER_MAX)
