"""Word lists the coach's features and span finders share. Written for Haven and kept general:
nothing here is about work in particular, because real conversations are about anything."""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Feelings a person might have or be named as having (adjectives, participles, nouns).
FEELINGS = word_set("""
abandoned afraid agitated alarmed alone angry anger anguish annoyed anxious anxiety apprehensive
ashamed awful awkward belittled betrayed bitter blamed blindsided broken bullied burned burnt
cheated concerned confused cornered crushed defeated defensive dejected demoralised demoralized
depressed desperate despair devastated diminished disappointed disappointment discouraged
disgusted disheartened dismissed disrespected distraught distressed disturbed down drained
dread dreading embarrassed embarrassment empty enraged envious exasperated excluded exhausted
exposed fear fearful fed fragile frightened frustrated frustrating frustration furious gaslit
grief grieving guilt guilty gutted harassed hate heartbroken heartbreak heavy helpless
hopeless horrible humiliated humiliating humiliation hurt hurting hurtful ignored inadequate
indignant insecure insulted intimidated invisible irritated isolated jealous jittery left lonely
loneliness lost low mad miserable mocked nervous numb offended outraged overlooked overwhelmed
overwhelming panic panicked panicky paralysed paralyzed powerless pressured rage rattled
regret rejected rejection resentful resentment restless ridiculed sad sadness scared shaken
shaky shame shamed shattered shocked shut sick singled small stressed stress stressful stuck
stung sting suffocated suffocating tense terrified thrown tired torn trapped trauma traumatic
traumatised traumatized troubled unappreciated uncertain uncomfortable undermined undervalued
uneasy unfair unheard unimportant unloved unnoticed unsafe unseen unsettled unsupported unsure
unwanted unwelcome upset upsetting used useless violated vulnerable weary weird worn worried
worry worrying worthless wounded wrecked
""")

# Positive feelings (relief, pride) also count when reflected back.
POSITIVE_FEELINGS = word_set("""
relieved relief proud pride hopeful grateful glad happy excited calm safe comforted
reassured validated supported seen heard valued confident
""")

FIRST_PERSON = word_set("i me my mine myself i'm i've i'd i'll")
FIRST_PERSON_PLURAL = word_set("we us our ours ourselves we're we've we'd we'll")
SECOND_PERSON = word_set("you your yours yourself you're you've you'd you'll")
THIRD_PERSON = word_set("he him his she her hers they them their theirs he's she's they're "
                      "he'd she'd they'd")
WH_WORDS = word_set("what how which when where who whom why whats what's how's")
AUXILIARIES = word_set("""
am are is was were do does did have has had can could will would shall should may might must
aren't isn't wasn't weren't don't doesn't didn't haven't hasn't hadn't can't couldn't won't
wouldn't shouldn't
""")
MODALS = word_set("should could would might must can may ought need needs")
NEGATIONS = word_set("""
not no never nothing nobody none nowhere neither nor don't doesn't didn't isn't aren't wasn't
weren't can't couldn't won't wouldn't shouldn't haven't hasn't hadn't ain't
""")
INTENSIFIERS = word_set("""
so really very truly deeply genuinely honestly totally completely absolutely incredibly
such super extremely awfully terribly
""")
HEDGES = word_set("maybe perhaps possibly might probably kind sort guess wonder")

# Base forms of verbs that, at the start of a sentence, usually make it an instruction.
IMPERATIVE_VERBS = word_set("""
accept agree apologise apologize apply approach arrange ask avoid block book breathe bring
call calm cancel change chat check clear confront consider contact cut delete distance
document don't drop email escalate explain file find focus forget forward get give go grab
hang ignore join journal keep lean learn leave let limit list listen log look make meet
mention message move mute note notice pick plan practise practice prepare push put quit raise
read record reach rehearse remember remind reply report request respond rest say schedule
screenshot see seek send set shake share sign sit skip sleep slow speak start stay stick stop
switch take talk tell text think treat try turn unfollow update use vent wait walk watch write
""")

# Words that, in a question, point at the other person's inner experience.
INNER_EXPERIENCE = word_set("""
feel feeling feelings felt feels mind thoughts think thinking cope coping handling holding
affect affecting affected impact hardest worst toughest hurts hurt sitting experience
""")

# Function words: common in any English text. Used to tell English from other languages and
# as the vocabulary that survives when content words are masked.
FUNCTION_WORDS = word_set("""
a about above after again against all also although am an and any anyone anything are around
as at back be because been before being below between both but by can can't could couldn't
did didn't do does doesn't doing don't down during each either else even ever every few for
from further get gets getting go going gone got had hadn't has hasn't have haven't having he
he'd he'll he's her here hers herself him himself his how how's however i i'd i'll i'm i've if
in into is isn't it it'll it's its itself just least less let let's like lot many may maybe me
might mine more most much must my myself no nobody none nor not nothing now of off often oh ok
okay on once one only or other our ours ourselves out over own quite rather really same she
she'd she'll she's should shouldn't since so some someone something still such than that
that's the their theirs them themselves then there there's these they they'd they'll they're
they've thing things this those though through to too under until up upon us very was wasn't
we we'd we'll we're we've well were weren't what what's whatever when where where's whether
which while who who's whom whose why will with without won't would wouldn't yeah yes yet you
you'd you'll you're you've your yours yourself yourselves
""")

# Very common words of other languages that English rarely uses; a share of them marks text
# the coach was not built for.
FOREIGN_FUNCTION_WORDS = word_set("""
der die das und ist nicht ich du sie wir ihr ein eine mit auf für von zu den dem sich auch
le la les et est pas je tu nous vous il elle une des du que qui dans pour avec sur ce cette
el los las es no yo tú nosotros una por para con que del pero muy está estoy eso esto
il lo gli è non io tu noi voi che di per con una sono sei questo
o os as é não eu você nós um uma com para que do da mas muito isso está
het de een en is niet ik jij wij zijn met voor op dat van maar
och att det som är inte jag du vi med för på en ett
""") - word_set("a i is no de la on me as do die")

# Masking keeps these as they are; other words become their shape ("_w", "_num").
KEEP_WORDS = (FUNCTION_WORDS | FEELINGS | POSITIVE_FEELINGS | FIRST_PERSON | SECOND_PERSON
              | THIRD_PERSON | WH_WORDS | AUXILIARIES | MODALS | NEGATIONS | INTENSIFIERS
              | HEDGES | IMPERATIVE_VERBS | INNER_EXPERIENCE | word_set("""
sorry sounds sound seems seem seemed imagine understand get hear hearing heard know knew
sense makes made wonder tell talk share say said happened happen happening story
advice suggest suggestion recommend tip tips idea ideas option options help helps helped
least big deal worse worst better best bright side positive just only ignore personally
everyone everybody always happens joke joking overreacting overreact overreacted dramatic
sensitive fault blame fair expect expected deserve deserved should've shouldn't've
promise swear secret secrets between tell anyone anybody soul nobody repeat confidential
confidence safe safety unless except risk danger harm sealed grave trust
same too also remember reminds time once when used old last previous
ugh oh omg wow damn yikes ouch aw aww hugs hug love care caring heart heartbreaking lol haha
!? ? ! <3 thanks thank glad here
"""))
