"""Cue patterns: precise, hand-written phrase patterns for each label. They are features for
the model and they find the words a finding points at. Patterns run on normalised text (lower
case, straight apostrophes), where "'" is optional and {you}, {your}, {feel} … are expanded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from haven.coach.engine.lexicon import FEELINGS, IMPERATIVE_VERBS, POSITIVE_FEELINGS
from haven.coach.engine.text import Segment, normalise

_FEELING_WORDS = sorted(FEELINGS | POSITIVE_FEELINGS, key=len, reverse=True)
_IMPERATIVES = sorted(IMPERATIVE_VERBS - {"don't", "let", "think", "remember"}, key=len,
                      reverse=True)

MACROS = {
    "you": r"(?:you|u|ya)",
    "your": r"(?:your|ur|yr)",
    "youre": r"(?:you'?re|you are|ur|u r|u are|youre)",
    "youve": r"(?:you'?ve|you have|u have|uve)",
    "youd": r"(?:you'?d|you would|u would)",
    "im": r"(?:i'?m|i am)",
    "ive": r"(?:i'?ve|i have)",
    "id": r"(?:i'?d|i would)",
    "ill": r"(?:i'?ll|i will)",
    "its": r"(?:it'?s|it is|that'?s|that is|this is|this'?s)",
    "feel": "(?:" + "|".join(_FEELING_WORDS) + ")",
    "imperative": "(?:" + "|".join(_IMPERATIVES) + ")",
    "person": r"(?:he|she|they|him|her|them|people|someone|anyone|everyone|nobody|no one)",
    "adv": r"(?:\w+ly\s+|so\s+|really\s+|very\s+|just\s+|totally\s+|honestly\s+)?",
    "youll": r"(?:you'?ll|you will|u will|ull)",
}


def expand(pattern: str) -> str:
    """Expand {macros}, make apostrophes optional and let spaces match any run of spaces."""
    def macro(match: re.Match[str]) -> str:
        return MACROS[match.group(1)]

    pattern = re.sub(r"\{(\w+)\}", macro, pattern)
    pattern = pattern.replace("'", "'?").replace("'??", "'?")
    return pattern.replace(" ", r"\s+").replace(r"\s+?", r"\s*")


@dataclass(frozen=True)
class Cue:
    kind: str  # a label name
    name: str  # short identifier, used as a feature name
    pattern: str
    level: int = 1  # for the 0/1/2 mechanisms: the level the cue suggests on its own


@dataclass(frozen=True)
class CueMatch:
    kind: str
    name: str
    level: int
    start: int
    end: int


C = Cue
CUES: tuple[Cue, ...] = (
    # emotional_reactions: the supporter's own feelings about the person's situation.
    C("emotional_reactions", "er_sorry",
      r"\b(?:i'm |i am )?(?:so |really |very |truly ){0,4}sorry\b"),
    C("emotional_reactions", "er_sorry_you", r"\bsorry (?:that |to hear that )?{you}(?!r)\b", 2),
    C("emotional_reactions", "er_that_sucks",
      r"\b{its} (?:so |really |just |actually )?(?:awful|terrible|horrible|rough|shitty|crappy"
      r"|brutal|harsh|unfair|messed up|not okay|not ok|not fair|wrong|sad|heartbreaking|"
      r"horrid|vile|gross|cruel|disgusting|outrageous|unacceptable|so hard|really hard|hard)\b"),
    C("emotional_reactions", "er_sucks", r"\b(?:that|this|it) (?:really |totally |just )?sucks\b"),
    C("emotional_reactions", "er_interjection",
      r"(?:^|[\s(])(?:oh no|ugh+|oof|ouch|yikes|aw+|damn|wow|omg|jeez|god|oh man|"
      r"oh my god|oh god|hugs|<3)\b(?!\w)"),
    C("emotional_reactions", "er_heart",
      r"\b(?:my heart (?:goes out|breaks|sank|hurts|aches)|breaks my heart|heartbreaking "
      r"to (?:read|hear))\b", 2),
    C("emotional_reactions", "er_own_feeling_for",
      r"\b(?:i'm|i am|i feel|i felt|i was|i got) (?:{adv})(?:so |really |genuinely )?"
      r"(?:angry|furious|mad|sad|upset|livid|gutted|worried|concerned|heartbroken|sorry|"
      r"shocked|appalled|horrified|fuming|outraged|sick|glad|relieved|proud) "
      r"(?:for {you}|on {your} behalf|about (?:this|that|what)|that {you}|to (?:hear|read) "
      r"(?:that|this|about)|reading (?:this|that))\b", 2),
    C("emotional_reactions", "er_makes_me",
      r"\b(?:it|that|this) (?:honestly |really |genuinely )?makes me (?:so |really )?"
      r"(?:angry|mad|sad|furious|upset|sick|want to|cringe|wince|worried|shudder|"
      r"livid)\b", 2),
    C("emotional_reactions", "er_stomach",
      r"\b(?:my stomach|made me wince|makes my blood boil|my blood boil|makes me wince|"
      r"i winced|i cringed|gave me chills)\b", 2),
    C("emotional_reactions", "er_here_for_you",
      r"\b(?:i'm|i am) (?:always )?here (?:for {you}|if {you} need)|sending (?:hugs|love|you)"
      r"|thinking of {you}\b"),
    C("emotional_reactions", "er_glad_told",
      r"\b(?:i'm|i am|so) glad {you} (?:told|reached|shared|said|came|wrote|messaged|talked)"),

    # interpretations: showing understanding of the feeling or experience.
    C("interpretations", "ip_sounds_like",
      r"\b(?:it |that |this )?(?:sounds|seems|sound|looks) (?:like|as if|as though)\b", 2),
    C("interpretations", "ip_sounds_feeling",
      r"\b(?:that |it |this )?(?:sounds|seems|must (?:have )?(?:been|be|feel)|must've been)"
      r" (?:{adv})(?:really |so |incredibly |genuinely )?{feel}", 2),
    C("interpretations", "ip_you_feel",
      r"\b{you} (?:must |probably |might |may )?(?:feel|felt|are feeling|were feeling|'re "
      r"feeling|must be feeling)\b", 2),
    C("interpretations", "ip_youre_feeling",
      r"\b{youre} (?:{adv})(?:feeling )?(?:really |so |pretty )?{feel}\b", 2),
    C("interpretations", "ip_no_wonder",
      r"\b(?:no wonder|it makes sense (?:that )?{you}|makes (?:total |complete )?sense "
      r"(?:that )?{you}|of course {you}|anyone would (?:feel|be)|it'?s (?:completely |totally )?"
      r"(?:understandable|natural|normal) (?:that |to )|i'?d (?:feel|be) .{0,20}too)\b", 2),
    C("interpretations", "ip_hear",
      r"\b(?:what i'?m hearing|i can hear (?:how|that|the)|i hear (?:how|that)|so what "
      r"{you}'?re saying|if i understand|so it'?s not just|it'?s not just the|"
      r"the worst part (?:is|was|isn't|wasn't))\b", 2),
    C("interpretations", "ip_imagine_how",
      r"\bi (?:can )?(?:only )?imagine (?:how|what|that|it)\b .{3,}", 2),
    C("interpretations", "ip_must_be_hard",
      r"\b(?:that|it|this) must (?:be|have been|feel) (?:{adv})(?:so |really |very )?"
      r"(?:hard|tough|difficult|rough|a lot|awful|horrible)\b"),
    C("interpretations", "ip_generic",
      r"\b(?:i (?:totally |completely |really )?(?:get it|understand|get that|get you|"
      r"hear you|feel you|know the feeling|know how {you} feel|know what {you} mean|"
      r"can (?:only )?imagine)|i'?ve been there|been there|makes (?:total )?sense|"
      r"(?:your|those|these) feelings are (?:valid|normal|real)|that'?s valid)\b"),

    # Validation: not a label of its own, but a strong sign against judgement ("you're not
    # overreacting") and usually part of understanding.
    C("validation", "val_not_overreacting",
      r"\b(?:{youre} not|{you} (?:are|were)n'?t|{you} (?:are|were) not|nothing|not) (?:being )?"
      r"(?:over ?reacting|over ?thinking|dramatic|crazy|too sensitive|imagining (?:it|things)|"
      r"wrong|alone|the problem|being unreasonable|unreasonable|silly|stupid|weak|petty)\b"),
    C("validation", "val_not_your_fault",
      r"\b(?:(?:it'?s|its|that'?s|this is|this isn'?t|it isn'?t|it'?s not|that'?s not) "
      r"(?:not )?(?:{your} fault|on {you})|not {your} fault|{you} did (?:nothing wrong|the right "
      r"thing|(?:{your}|the) best|well|great|nothing to deserve)|{you} (?:have|had) every right|"
      r"{you} deserve(?:d)? (?:better|to be|respect)|anyone would (?:be|feel|have)|"
      r"(?:{your}|those|these|that) (?:feelings?|reaction|response) (?:is|are|was|were|makes?) "
      r"(?:valid|understandable|normal|sense|completely)|nobody deserves)\b"),

    # explorations: open questions about their feelings or experience.
    C("explorations", "ex_how_feel",
      r"\bhow (?:are|did|do|does|is|has|have|was|were) (?:{you}|it|that|this|things)\b[^?.!]{0,200}"
      r"(?:feel|feeling|doing|coping|holding up|handling|affect|affecting|sitting|going)"
      r"[^?.!\n]{0,200}(?:\?|$)", 2),  # casual writing often drops the question mark
    C("explorations", "ex_what_like",
      r"\bwhat (?:was|is|has|'s) (?:it|that|this)(?: been)? like\b[^?.!\n]{0,200}(?:\?|$)", 2),
    C("explorations", "ex_hardest",
      r"\bwhat(?:'s| is| was| has been|'s been) (?:the )?(?:hardest|worst|toughest|most "
      r"\w+) (?:part|bit|thing)\b[^?.!]{0,200}\??", 2),
    C("explorations", "ex_tell_more",
      r"\b(?:tell me (?:more|about|what|how)|can {you} (?:tell|say) (?:me )?more|"
      r"(?:do|would) {you} (?:want|like) to (?:tell|say|share) (?:me )?more|"
      r"say more about|talk me through|walk me through)\b[^?.!]{0,200}", 2),
    C("explorations", "ex_wh_you",
      r"\b(?:what|how|which|where|when|who)\b[^?.!]{0,80}\b(?:{you}|{your})\b[^?.!]{0,200}\?"),
    C("explorations", "ex_closed",
      r"\b(?:are|do|did|have|has|is|was|were|would|can|could) {you}\b[^?.!]{0,200}\?"),
    C("explorations", "ex_okay",
      r"\b(?:are )?{you} (?:ok|okay|alright|all right|doing ok|doing okay)\s*\?"),
    C("explorations", "ex_what_happened", r"\bwhat happened\b[^?.!]{0,200}\?"),
    C("explorations", "ex_want_talk",
      r"\b(?:do|would) {you} (?:want|like) to (?:talk|vent|chat)\b[^?.!]{0,200}\?"),

    # advice: suggestions, instructions, solutions.
    C("advice", "adv_you_should",
      r"\b{you} (?:really |honestly |definitely |probably |just |totally |seriously |"
      r"absolutely )?(?:should(?!'?ve\b| have\b| of\b)|shouldn'?t(?!'?ve\b| have\b)|"
      r"ought to|need to|needa|have to|gotta|got to|"
      r"must not|'?d better|had better|'?ll want to|might want to|may want to)\b"
      r"(?! (?:feel|be feeling|have felt|have to|'ve to|be (?:proud|so proud)))"
      r"(?! (?:have|'ve) been \w+(?:ed|en)\b)"),
    C("advice", "adv_you_could",
      r"\b(?:maybe |perhaps |possibly )?{you} (?:could|can|might) (?:always |just |try|also )?"
      r"(?!feel|be feeling|have felt|imagine|(?:always )?(?:tell|talk to|message|text|call|"
      r"reach|ping|come to|dm) me)\w+"),
    C("advice", "adv_try",
      r"(?:^|[.!?\n,;]\s*|\b(?:just|maybe|and|then|so|perhaps|honestly|also|could|can|"
      r"should|might) )try (?:to |and |not |\w+ing\b)"),
    C("advice", "adv_have_you_tried",
      r"\b(?:have|did) {you} (?:tried|thought about|considered|thought of|looked into|"
      r"talked to|spoken to|told|reported|asked|gone to)\b|\b(?:what|how) about (?:\w+ing|"
      r"talking|trying|asking|telling)\b|\bwhy (?:don'?t {you}|not)\b(?! (?:just )?ask me)"),
    C("advice", "adv_if_i_were",
      r"\b(?:if i were {you}|if it (?:were|was) me|in {your} (?:shoes|position|place)|"
      r"i (?:would|'d|would've|'d have|wd) (?:just |probably |honestly |definitely )?"
      r"(?:go|talk|tell|report|write|quit|leave|say|ask|email|speak|get|start|keep|block|"
      r"ignore|document|find|look|take|stop|try|move|call|push|escalate|raise|put|make|"
      r"consider|record|mention|send)\b)"),
    C("advice", "adv_best_thing",
      r"\b(?:the best (?:thing|way|move|option|idea)|my advice|i (?:would )?(?:suggest|"
      r"recommend|advise)|a good idea (?:is|would be|to)|it (?:might|would|could) help to|"
      r"it'?s worth|make sure|don'?t forget to|remember to|the trick is|the key is|"
      r"(?:one|another) option (?:is|would be)|{you}r best bet)\b"),
    C("advice", "adv_imperative",
      r"(?:^|[.!?\n;]\s*|[,]\s+(?:and |then |but )?|\b(?:just|maybe|honestly|seriously|"
      r"so|then|and|please|definitely|first|simply|instead) )(?:{imperative})\b"
      r"(?! (?:me|us)\b)(?! (?:you|u) (?:know|see))(?! ?,)(?! care\b)"),
    C("advice", "adv_dont",
      r"(?:^|[.!?\n;,]\s*|\b(?:just|and|but|so|please|honestly) )(?:don'?t|do not|never) "
      r"(?:let|be|give|take|worry|stress|waste|bother|engage|reply|respond|answer|feed|"
      r"go|quit|sign|say|put|stay|keep|wait|apologi[sz]e|read|check)\b"),
    C("advice", "adv_offer",
      r"\b(?:would it help (?:if|to)|do {you} want me to|want me to|i can (?:help {you}|"
      r"show {you}|tell {you} how|walk {you} through|go with {you}|come with {you}|"
      r"send {you}|point {you})|happy to (?:help|go|come|show|walk|sit))\b"),

    # judgement: blame or criticism aimed at the person.
    C("judgement", "jud_should_have",
      r"\b{you} (?:really |probably |honestly |maybe |just |kind of |kinda )?"
      r"(?:should(?:'ve| have| of)|shouldn'?t (?:have|'ve)|could(?:'ve| have) just|"
      r"ought to have|need(?:ed)? to have)\b(?! to\b)(?! been \w+(?:ed|en)\b)"),
    C("judgement", "jud_why_didnt",
      r"\bwhy (?:didn'?t|did|would|do|don'?t|are|were|on earth|the hell|tf) {you}\b"
      r"(?! (?:think|feel|want to talk))[^?.!]{0,200}\??"),
    C("judgement", "jud_overreact",
      r"\b(?:{youre}|{you} (?:were|are|seem|sound|might be|may be)|bit|a little|kind of|"
      r"kinda|little) (?:being |a bit |a little |kind of |kinda |way |too |so |really |"
      r"just |overly ){0,4}(?:over ?react(?:ing|ed)?|dramatic|sensitive|thin[- ]skinned|paranoid|"
      r"touchy|precious|soft|emotional|overthinking|making (?:a|this|it) (?:big )?(?:deal|"
      r"thing)|blowing (?:this|it|things) (?:out of proportion|up))\b"),
    C("judgement", "jud_overreacted",
      r"\b{you} (?:over ?reacted|overreact|over ?think|overthink|brought (?:it|this) on|"
      r"asked for it|let (?:it|him|her|them|this) (?:happen|go on|get)|made (?:it|things) "
      r"worse|were (?:late|rude|wrong|out of line|in the wrong))\b"),
    C("judgement", "jud_fault",
      r"\b(?:{your} (?:own )?fault|to be fair,? {you}|tbf,? {you}|in fairness,? {you}|"
      r"{you} (?:kind of|kinda|sort of) (?:deserved|asked for|started)|what did {you} expect|"
      r"that'?s on {you}|{you} (?:always|never) (?:do|let|take|make|say)|"
      r"no offen[cs]e,? but|grow up|toughen up|man up|grow a (?:thicker )?(?:skin|pair)|"
      r"stop (?:whining|complaining|moaning|being)|get a grip|a bit much|{you} played a part|"
      r"{youre} (?:the problem|part of the problem|to blame|too much))\b"),

    C("judgement", "jud_effort",
      r"\b(?:don'?t be like that|don'?t be (?:so |such )?(?:a |the )?(?:baby|exception|"
      r"killjoy|drama queen|snowflake)|{youve} (?:got|gotta) to (?:make an effort|try harder|"
      r"toughen|stop)|do better|(?:are|were) {you} (?:just )?assuming|(?:have|did) {you} "
      r"(?:actually|even|ever) (?:tried|asked|told|said|thought)|for no reason|"
      r"{you} must have done something|what did {you} do to|(?:there'?s|there are) (?:always )?"
      r"two sides|{you} (?:kinda|kind of|do|always) keep to yourself|it takes two|"
      r"{you} need to (?:grow|toughen|stop being|get over))\b"),

    # minimising: shrinking or dismissing the experience.
    C("minimising", "min_at_least", r"\bat least\b[^.!?\n]{0,200}"),
    C("minimising", "min_not_big_deal",
      r"\b(?:(?:it'?s|that'?s|this is|its)? ?(?:not|n'?t|hardly) (?:such )?(?:a |that )?"
      r"(?:big deal|huge deal|end of the world|that bad|so bad|a big thing|worth (?:getting|"
      r"stressing|worrying|losing sleep))|no big deal|nbd)\b"),
    C("minimising", "min_could_be_worse",
      r"\b(?:could(?:'ve| have)? (?:be|been) (?:a lot |much |way )?worse|others have it worse|"
      r"some people have it worse|first world problem|worse things happen|"
      r"(?:happens|happened) to (?:everyone|all of us|the best of us|everybody)|(?:everyone|"
      r"everybody) (?:goes through|deals with|gets (?:this|that|it)|feels (?:this|that) way|"
      r"has (?:bad days|a bad day|one|those|(?:a |an )?(?:annoying |difficult |awful )?"
      r"(?:boss|coworker|colleague|manager)))|we'?ve all been there|we all (?:go through|get "
      r"(?:this|that)|have (?:those|bad)|deal with))\b"),
    C("minimising", "min_dont_worry",
      r"\b(?:don'?t|do not|try not to|no need to) (?:worry|stress|sweat it|overthink|"
      r"dwell|take (?:it|this|that) (?:so )?(?:personally|to heart|seriously)|let (?:it|"
      r"him|her|them|this) (?:get to {you}|bother {you}|get {you} down)|be (?:so )?"
      r"(?:upset|sad|hard on yourself))\b"),
    C("minimising", "min_just_ignore",
      r"\b(?:just |simply )?(?:ignore (?:it|him|her|them|that)|shake it off|let it go|"
      r"get over it|move on|brush it off|laugh it off|forget (?:about )?(?:it|him|her|them)|"
      r"let it slide|water off a duck'?s back|rise above it)\b"),
    C("minimising", "min_cheer_up",
      r"\b(?:cheer up|chin up|look on the bright side|bright side|silver lining|stay "
      r"positive|think positive|focus on the (?:positive|good)s?|good vibes|"
      r"everything happens for a reason|plenty (?:more )?(?:of )?(?:fish|other)|"
      r"stay strong|keep smiling|"
      r"it'?ll (?:all )?(?:be (?:fine|ok|okay|alright)|blow over|work out|pass)|"
      r"{youll} be (?:fine|ok|okay|alright)|things (?:will|could) (?:get better|be worse)|"
      r"could be a blessing|tomorrow is a new day)\b"),
    C("minimising", "min_shrug",
      r"\b(?:don'?t read (?:too much )?into (?:it|this|that)|(?:reading|read) too much into|"
      r"(?:isn'?t|is not|not) forever|(?:it'?s|this is|that'?s|that was|it was) nothing\b|"
      r"{youll} (?:adapt|get used to it|be over it|forget (?:about )?it|laugh about (?:it|this))|"
      r"goes with the territory|(?:part|comes with|all part) of the (?:job|deal|territory|game)|"
      r"(?:nobody|no one|most people) (?:even |probably )?(?:noticed|notice|cares|remembers)|"
      r"(?:didn'?t|don'?t) even notice|not worth (?:it|getting|the stress|stressing|worrying)|"
      r"{youre} not missing (?:anything|much|out)|(?:it|things) (?:could|can) (?:always )?be "
      r"worse|worse things|it'?s only (?:a|one|been)|(?:he|she|they)(?:'?s|'?re| is| are)? "
      r"(?:probably |just |prob )+(?:busy|stressed|under pressure|having a bad day|tired))\b"),
    C("minimising", "min_just_joke",
      r"\b(?:(?:probably|prob|maybe|only|just|was|were) (?:just |only )?(?:joking|kidding|"
      r"banter|teasing|a joke|messing (?:around|about)|having a laugh|a bit of fun|being "
      r"friendly)|didn'?t mean (?:it|anything)(?: (?:like that|by it|bad))?|(?:it'?s|its|"
      r"that'?s|it was|that was) (?:just|only) (?:a joke|a job|a game|a comment|one (?:comment|"
      r"time|person|day|bad day|thing)|words|banter|how (?:he|she|they) (?:is|are))|"
      r"don'?t take (?:it|this|that) personally|(?:it'?s|its|that'?s|it was) not personal)\b"),

    # self_focus: the supporter's own story or feelings.
    C("self_focus", "sf_same_to_me",
      r"\b(?:(?:the )?same (?:thing )?happened to me|that happened to me|happens to me|"
      r"same here|me too|omg same|lol same|same!+|reminds me of (?:when|the time|my)|"
      r"i remember when|when i was|at my (?:old|last|previous|first) (?:job|work|place|"
      r"school|company)|i had (?:a|the) (?:same|similar)|i went through|story time|let me "
      r"tell {you} about|i once had|this one time|i know exactly how {you} feel because)\b"),
    C("self_focus", "sf_my_own",
      r"\b(?:my (?:old |ex[- ]?|last |former |own )?(?:boss|manager|ex|mum|mom|dad|sister|"
      r"brother|husband|wife|partner|boyfriend|girlfriend|coworker|colleague|team|friend|"
      r"roommate|landlord|teacher|family) (?:was|did|used to|once|would|also|is|had|made|"
      r"said|does|keeps)|i'?m (?:so |really |also |super )?(?:stressed|tired|exhausted|busy|"
      r"swamped|drained|overwhelmed|burnt out|burned out) (?:myself|too|as well|at the moment|"
      r"right now|this week|lately)|enough about me)\b"),

    # secrecy_promise: confidentiality that cannot be guaranteed.
    C("secrecy_promise", "sec_wont_tell",
      r"\bi(?:'?ll| will| would|'?d| am|'?m)? (?:won'?t|will never|would never|never|"
      r"wouldn'?t|not going to|not gonna|ain'?t gonna|promise not to|swear not to) (?:ever )?"
      r"(?:tell|repeat|share|mention|breathe a word|say a word|spill|pass (?:it|this|that) on)"
      r"(?: (?:this|it|that|any of (?:this|it|that)|a word|anything|what {you} (?:say|said|"
      r"tell me|told me)))?(?: (?:to |with )?(?:anyone|anybody|a soul|a single soul|another "
      r"soul|nobody|no one|a living soul))?\b"
      r"|\b(?:tell|repeat (?:this|it) to|mention (?:this|it) to) (?:anyone|anybody|a soul|"
      r"a single soul|a living soul)\b"),
    C("secrecy_promise", "sec_between_us",
      r"\b(?:(?:stays?|stay|kept|keep it|remains?|is) (?:just )?between (?:us|you and me|"
      r"the two of us|me and you)|between (?:you and me|us|the two of us)|our (?:little )?"
      r"secret|stays? with me|in the vault|(?:no one|nobody|not a soul) (?:will|would|needs to|"
      r"has to|is going to) (?:ever )?(?:know|find out|hear)|take (?:it|this) to (?:my|the) "
      r"grave|my lips are sealed|cross my heart|i swear i won'?t|completely confidential|"
      r"totally confidential|100% confidential|(?:promise|swear)(?: (?:to )?{you})? (?:i'?ll|i "
      r"will|to|i|that i) (?:never|not|won'?t|keep))\b"),
    C("secrecy_promise", "sec_whatever",
      r"\b(?:whatever|anything|everything) {you} (?:say|tell me|share|said)\b[^.!?]{0,200}"
      r"(?:stays|stay|safe|secret|between|with me|confidential|never)"),
    C("secrecy_promise", "sec_no_matter",
      r"\b(?:no matter what|whatever happens|under any circumstances|not even (?:hr|"
      r"{your} boss|the police|anyone))\b"),
)

# Accurate statements of the limits of confidentiality: a secrecy cue near one is not a promise
# that cannot be kept.
CONFIDENTIALITY_LIMIT = re.compile(expand(
    r"\b(?:unless|except (?:if|when|where)|only if|(?:if|when) (?:someone|somebody|anyone|"
    r"{you}|a person)(?:'s| is| are| was| were|'re)? (?:safety|at risk|in danger|unsafe|"
    r"might get hurt|could get hurt|hurt)|(?:only|never) [^.!?]{0,60}(?:danger|safety|at risk|"
    r"harm|hurt)|(?:safety|danger|risk|harm)\b.{0,40}\b(?:have to|need to|would|"
    r"must|might) (?:tell|share|get help|involve|report)|limits? (?:of|to) (?:confidentiality|"
    r"what i can)|with {your} (?:permission|consent|ok)|without {your} (?:permission|"
    r"consent|ok|say)|(?:if|when|until) {you} (?:say|want|decide|agree|choose)|up to {you})\b"))


@lru_cache(maxsize=1)
def compiled() -> tuple[tuple[Cue, re.Pattern[str]], ...]:
    return tuple((cue, re.compile(expand(cue.pattern), re.MULTILINE)) for cue in CUES)


# Kinds whose cues a negation just before them reverses: "I don't think you overreacted",
# "nobody's saying you should have known".
NEGATABLE_KINDS = frozenset({"judgement"})
NEGATION_BEFORE = re.compile(expand(
    r"(?:\bnot|n't|\bnever|\bno way|\bno one|\bnobody|\bhardly)\b[^.!?\n,;:]{0,30}$"))


def find_cues(text: str) -> list[CueMatch]:
    """Every cue match in TEXT, with offsets into TEXT (normalising keeps its length)."""
    lowered = normalise(text)
    found: list[CueMatch] = []
    for cue, pattern in compiled():
        for match in pattern.finditer(lowered):
            start, end = match.span()
            if cue.kind in NEGATABLE_KINDS and NEGATION_BEFORE.search(
                    lowered, max(0, start - 40), start):
                continue
            while start < end and not lowered[start].isalnum() and lowered[start] not in "<":
                start += 1
            while end > start and lowered[end - 1] in " ,;:-\n\t":
                end -= 1
            if end > start:
                found.append(CueMatch(cue.kind, cue.name, cue.level, start, end))
    return found


def has_confidentiality_limit(text: str) -> bool:
    return CONFIDENTIALITY_LIMIT.search(normalise(text)) is not None


def limited_nearby(lowered: str, sentences: list[Segment], cue: CueMatch) -> bool:
    """Is a confidentiality promise at CUE qualified ("… unless someone's at risk") in its
    sentence or the one on either side?"""
    for index, sentence in enumerate(sentences):
        if sentence.start <= cue.start < sentence.end:
            start = sentences[max(0, index - 1)].start
            end = sentences[min(len(sentences) - 1, index + 1)].end
            return CONFIDENTIALITY_LIMIT.search(lowered, start, end) is not None
    return False
