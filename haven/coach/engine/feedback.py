"""What the coach says about a finding: one sentence of explanation for the supporter and
another way to phrase it. Suggestions use the feeling the colleague named, when they named one."""

from __future__ import annotations

from functools import lru_cache

from haven.coach.engine import lexicon
from haven.coach.engine.text import tokens

# Words in the feelings lexicon too ambiguous to quote back as "feeling X".
_NOT_QUOTABLE = lexicon.word_set("""
down left used fed shut small heavy low lost sick weird hate thrown worn burned burnt torn
empty broken fear stress worry panic rage grief guilt shame trauma regret dread sting anger
anxiety loneliness sadness frustration embarrassment humiliation rejection heartbreak
disappointment despair resentment unfair awful horrible frustrating humiliating overwhelming
upsetting stressful hurtful traumatic suffocating worrying
""")

EXPLANATIONS: dict[tuple[str, int], str] = {
    ("emotional_reactions", 1): "This shows warmth, but it is a stock phrase that could be "
                                "sent to anyone; a few words about their situation make it land.",
    ("emotional_reactions", 2): "This tells them how you feel about what happened to them, in "
                                "your own words, which shows you care.",
    ("interpretations", 1): "This says you understand without showing it; naming what they "
                            "feel or went through shows you really listened.",
    ("interpretations", 2): "This reflects back what they feel or went through, or shows you "
                            "understand through something similar of your own, which shows "
                            "you were listening closely.",
    ("explorations", 1): "This question is closed or general; an open question about their "
                         "experience invites them to say more.",
    ("explorations", 2): "This open question invites them to say more about how it has been "
                         "for them.",
    ("advice", 1): "They asked for ideas, so a suggestion is welcome; offer it as an option "
                   "they can take or leave rather than an instruction.",
    ("unsolicited_advice", 1): "They didn't ask what to do, so advice here can leave them "
                               "feeling unheard; listen first and ask before suggesting.",
    ("judgement", 1): "This can read as blaming them for what happened, which may make them "
                      "stop sharing.",
    ("minimising", 1): "This makes what they went through sound smaller than it feels to "
                       "them, which can leave them feeling dismissed.",
    ("self_focus", 1): "This turns the conversation to your own story or feelings and doesn't "
                       "come back to them; sharing something similar helps when you then "
                       "return to what they are going through.",
    ("secrecy_promise", 1): "You can't promise total secrecy: if someone's safety is at risk "
                            "you would need to get help, and a broken promise hurts trust.",
}

# The same findings when the coach is unsure (a calibrated probability under the model's
# hedge_below): said as a possibility, never asserted.
HEDGED: dict[str, str] = {
    "advice": "This may read as a suggestion. They asked for ideas, so that is welcome; offer "
              "it as an option they can take or leave.",
    "unsolicited_advice": "This may read as advice they didn't ask for; if it is, listen first "
                          "and ask before suggesting.",
    "judgement": "This may read as blaming them for what happened; if so, it could make them "
                 "stop sharing.",
    "minimising": "This may make what they went through sound smaller than it feels to them.",
    "self_focus": "This may turn the conversation to your own story; if you share something "
                  "similar, come back to what they are going through.",
    "secrecy_promise": "This may sound like a promise of total secrecy, which you can't give "
                       "if someone's safety is at risk.",
}

SUGGESTIONS: dict[tuple[str, int], str] = {
    ("emotional_reactions", 1): "I'm really sorry you're going through this{feeling_clause}.",
    ("emotional_reactions", 2): "Keep it. If there's room, follow it with a question: "
                                "\"How are you doing with all of this?\"",
    ("interpretations", 1): "{reflection}",
    ("interpretations", 2): "Keep it, and let them correct you: \"… is that close to how it "
                            "feels?\"",
    ("explorations", 1): "What has been the hardest part of this for you?",
    ("explorations", 2): "Keep it, and give them room to answer before you add anything else.",
    ("advice", 1): "One thing that might help is …, but you know the situation best: what "
                   "feels doable to you?",
    ("unsolicited_advice", 1): "Would it help to think through options together, or do you "
                               "mostly need to talk it through right now?",
    ("judgement", 1): "It makes sense you reacted the way you did; it's hard to know what to "
                      "do in the moment.",
    ("minimising", 1): "That sounds really hard, and it makes sense that it's stayed with you.",
    ("self_focus", 1): "Something a bit like that happened to me, so I can imagine part of "
                       "it, but how is it for you?",
    ("secrecy_promise", 1): "What you tell me stays between us, unless I'm worried about "
                            "someone's safety; then I'd talk with you first about getting help.",
}

# Sharper suggestions for particular cues (by cue name).
CUE_SUGGESTIONS = {
    "jud_why_didnt": "What made it hard to say something at the time?",
    "jud_should_have": "Looking back always makes things seem clearer than they were; what "
                       "happened isn't your fault.",
    "jud_overreact": "Your reaction makes sense given what happened.",
    "jud_overreacted": "Your reaction makes sense given what happened.",
    "min_at_least": "Rather than a bright side, name how hard it is: \"That sounds really "
                    "painful.\"",
    "min_dont_worry": "It makes sense that this is weighing on you.",
    "min_just_ignore": "That sounds exhausting to keep dealing with. What would help most "
                       "right now?",
    "min_cheer_up": "You don't have to feel better yet; I'm here to listen.",
    "min_just_joke": "Even if it was meant as a joke, it clearly hurt, and that matters.",
    "min_could_be_worse": "That sounds really hard, whatever anyone else is going through.",
    "min_not_big_deal": "It clearly matters to you, so it matters.",
    "adv_offer": "If it would help, I can tell you about some options, but only if you want "
                 "that right now.",
    "ex_closed": "How has this been for you?",
    "ex_okay": "How are you feeling about all of this right now?",
    "ex_what_happened": "What happened, and how did it leave you feeling?",
    "sec_between_us": SUGGESTIONS[("secrecy_promise", 1)],
}


@lru_cache(maxsize=256)
def named_feeling(seeker: str) -> str | None:
    """The first feeling word the colleague used that reads naturally as "feeling X"."""
    for token in tokens(seeker):
        if token.text in lexicon.FEELINGS and token.text not in _NOT_QUOTABLE:
            return token.text
    return None


def explanation(kind: str, level: int, *, sure: bool = True) -> str:
    if not sure and kind in HEDGED:
        return HEDGED[kind]
    return EXPLANATIONS[(kind, min(level, 2) if kind in _MECHANISMS else 1)]


def suggestion(kind: str, level: int, seeker: str, cue_name: str | None = None) -> str:
    if (kind in ("judgement", "minimising") or (kind == "explorations" and level == 1)) \
            and cue_name in CUE_SUGGESTIONS:
        return CUE_SUGGESTIONS[cue_name]
    if kind in ("advice", "unsolicited_advice") and cue_name == "adv_offer":
        return CUE_SUGGESTIONS["adv_offer"]
    template = SUGGESTIONS[(kind, min(level, 2) if kind in _MECHANISMS else 1)]
    feeling = named_feeling(seeker)
    return template.format(
        feeling_clause=f"; feeling {feeling} like that is so hard" if feeling else "",
        reflection=(f"It sounds like you've been feeling really {feeling}, and that makes "
                    f"sense after what happened." if feeling else
                    "It sounds like this has really got to you, and that makes sense after "
                    "what happened."))


_MECHANISMS = frozenset({"emotional_reactions", "interpretations", "explorations"})
