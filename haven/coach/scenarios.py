"""Practice scenarios for supporters: a colleague's message about bullying or conflict at work,
and an example of a strong reply. Every scenario was written for Haven; none is taken or
adapted from a published dataset. Slugs are stable: practice attempts refer to them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scenario:
    slug: str
    kind: str  # a key of KINDS
    title: str
    situation: str  # what the colleague wrote (40-150 words)
    example: str  # a strong reply: validates, reflects, explores; no unasked-for advice

    @property
    def kind_label(self) -> str | Promise:
        return KINDS[self.kind]


KINDS: dict[str, str | Promise] = {
    "exclusion": _("Exclusion"),
    "humiliation": _("Public humiliation"),
    "credit": _("Credit-taking"),
    "gossip": _("Gossip and rumours"),
    "intimidation": _("Intimidation by a manager"),
    "team-chat": _("Bullying in team chat"),
    "microaggression": _("Microaggressions"),
    "retaliation": _("Fear of retaliation"),
    "bystander": _("A bystander who wants to help"),
    "accused": _("A colleague accused of bullying"),
}

SCENARIOS: tuple[Scenario, ...] = (
    # Exclusion
    Scenario(
        "thursday-lunches", "exclusion", "Lunches on my remote day",
        "So the team has started doing a Thursday lunch. Thursday is the one day I'm always "
        "remote because of my kid's school run, and everyone knows that. I mentioned it twice. "
        "This week they posted photos in the channel with 'full squad!!' and I was the only one "
        "missing. Maybe I'm being oversensitive, but it's been three months of this and I've "
        "started to feel like a contractor who happens to sit on the org chart.",
        "Seeing 'full squad!!' when you were the one person missing, after you'd already raised "
        "it twice, sounds like it really stung. It makes sense that three months of this would "
        "leave you feeling like an outsider on your own team rather than oversensitive. What "
        "has it been like for you since those photos went up?"),
    Scenario(
        "steering-meeting", "exclusion", "Dropped from the invitation list",
        "I have been the data lead on the Halden project since January. Since the "
        "reorganisation in May I am no longer invited to the weekly steering meeting, although "
        "decisions taken there affect my work directly. I learn about them afterwards from the "
        "minutes, sometimes after I have already done work that is now wasted. Nobody has told "
        "me why. I do not know whether this is deliberate, and I am not sure whether I am "
        "entitled to ask.",
        "I'm sorry, that sounds really disorienting: you're the data lead, and you find out "
        "about decisions only from the minutes, sometimes after your work has already been "
        "overtaken by them. Not knowing whether it's deliberate seems to be part of what makes "
        "it so hard, along with wondering whether you even have the standing to ask. How has "
        "this been sitting with you over these months?"),
    Scenario(
        "after-work-drinks", "exclusion", "New and on the outside",
        "I joined four months ago from our Lisbon office. The team is nice in meetings but "
        "after, they all go for drinks and speak very fast about things I don't know, inside "
        "jokes. Two times I asked to join and they said 'oh sure' but nobody tells me when or "
        "where. I eat lunch at my desk most days. Maybe this is the culture here and I must "
        "accept it, I don't know.",
        "Asking twice, hearing 'oh sure', and then never being told when or where sounds "
        "lonely, especially when you've moved so far to be here. I'm sorry that lunch at your "
        "desk has become the usual. It sounds like part of you is wondering whether you simply "
        "have to accept it. What have these four months felt like for you?"),
    # Public humiliation
    Scenario(
        "amateur-hour", "humiliation", "'Amateur hour' at the all-hands",
        "My manager put my slides up in the all-hands and said 'this is what amateur hour looks "
        "like' and people LAUGHED. Forty people. I built that deck in two days because he gave "
        "me two days. I sat there with my face burning and I couldn't say anything. I've been "
        "replaying it all night and I honestly don't know how I'm going to walk into the office "
        "tomorrow.",
        "I'm so sorry. Having your work held up and mocked in front of forty people, after he "
        "gave you just two days for it, sounds humiliating, and of course you're still "
        "replaying it. Sitting there with your face burning and no way to answer would shake "
        "anyone. What goes through your mind when you think about walking in tomorrow?"),
    Scenario(
        "night-shift-line", "humiliation", "Shouted at on the line",
        "Warehouse, night shift. Supervisor screamed at me in front of the whole line because a "
        "pallet was labelled wrong. It wasn't even my pallet. Called me useless and said a "
        "trained monkey could do my job. Everyone just kept working and looking at the floor. "
        "I've been here six years. Never had a write-up. I went to the toilets and shook for "
        "ten minutes. Can't stop thinking about it.",
        "Six years without a single write-up, and then being screamed at and called useless in "
        "front of the whole line over a pallet that wasn't even yours: no wonder you were "
        "shaking. It sounds like everyone staring at the floor made it lonelier still. How are "
        "you doing right now, with it still going round in your head?"),
    Scenario(
        "reply-all", "humiliation", "Corrected in front of the client",
        "A senior partner replied-all to a client email thread to point out two typos in my "
        "summary, with a comment that 'we clearly need to revisit basic standards in this "
        "team'. The client, my manager and three other partners were copied. The typos were "
        "real, I accept that, but the tone felt designed to make an example of me. I keep "
        "reading the message again. Part of me thinks I deserved it, and part of me feels sick "
        "every time I open my inbox.",
        "I'm sorry that happened. Being singled out in a reply-all, with the client and three "
        "partners copied, sounds so exposing, and it makes sense that you keep going back to "
        "it. I hear two things at once: part of you accepts the typos were real, and part of "
        "you feels sick because the way it was done felt like making an example of you. What "
        "has it been like, holding both of those?"),
    # Credit-taking
    Scenario(
        "caching-fix", "credit", "My idea, his name",
        "ok so I suggested the caching fix in standup on monday. Dan said 'interesting, let's "
        "park it'. Wednesday he presents it to the director as his idea, word for word, my "
        "diagram and everything. Director loved it. Dan got a shout-out in the newsletter. This "
        "is the third time. I'm starting to not say anything in meetings at all because what's "
        "the point",
        "Honestly, that makes me angry for you. Hearing your own idea, your diagram even, "
        "presented as his, and then watching him get the shout-out sounds infuriating. A third "
        "time makes it feel like a pattern rather than an accident. It sounds like speaking up "
        "has started to feel pointless. What has it been like sitting in meetings since "
        "Wednesday?"),
    Scenario(
        "quarterly-analysis", "credit", "My name left off the report",
        "I wrote most of the quarterly analysis. When it went out my name wasn't on it. Only my "
        "team lead's. I asked her about it and she said authorship 'doesn't really matter "
        "here'. Maybe it doesn't. I just noticed I didn't sleep well that week. I'm not sure "
        "why I'm writing this, it's probably nothing.",
        "It doesn't sound like nothing to me. You wrote most of that analysis, your name "
        "disappeared from it, and when you asked you were told it doesn't matter. It sounds "
        "like it hurt more than you're letting yourself say, and your sleep noticed even if "
        "you're playing it down. What was it like to hear her say that?"),
    Scenario(
        "billing-migration", "credit", "Whose migration was it?",
        "My manager keeps telling leadership that 'he' migrated the billing system, when it was "
        "me and one other junior dev working weekends for a month. In my review he wrote that I "
        "'need to show more ownership'. I'm angry and confused. Promotions are in two months. "
        "What would you do in my position? Should I say something or just keep my head down "
        "until then?",
        "I'm sorry your weekends on that migration ended up credited to him. Being told you "
        "need to show more ownership after that: I can see why you're both angry and confused, "
        "especially with promotions two months away. You asked what I'd do, and I'm glad to "
        "think it through with you. Before we do, what worries you most about speaking up, and "
        "what worries you about staying quiet?"),
    # Gossip and rumours
    Scenario(
        "promotion-rumour", "gossip", "The rumour about my promotion",
        "Someone started a rumour that I got my promotion because I'm sleeping with the "
        "regional manager. I'm not, obviously. I found out because a woman from accounts asked "
        "me about it in the lift, laughing. Now I notice people going quiet when I walk into "
        "the kitchen. I worked for five years for that promotion. I feel dirty, which is stupid "
        "because I didn't do anything.",
        "That sounds horrible: five years of work reduced to a rumour, and then having it "
        "laughed about in the lift. It isn't stupid to feel dirty. It sounds like the rumour "
        "has left you feeling stained by something you didn't do, and now even walking into the "
        "kitchen feels watched. How have you been getting through the days since?"),
    Scenario(
        "diagnosis", "gossip", "My diagnosis is office gossip",
        "told ONE person on my team about my diagnosis bc I needed to leave early for appts. "
        "now half the floor knows. someone asked me if I was 'contagious' lol. I trusted her. I "
        "feel so stupid and exposed. I dont even want to go to the appointments now bc everyone "
        "will know where I am",
        "I'm really sorry. You trusted one person with something so personal and now it's all "
        "over the floor; of course you feel exposed, and that 'contagious' comment sounds awful "
        "to hear. Since trust is exactly what was broken, I want to be clear: what you tell me "
        "stays between us, unless someone's safety were ever at serious risk. It sounds like "
        "this is even making the appointments feel harder. What has been the hardest part for "
        "you?"),
    Scenario(
        "the-real-team", "gossip", "The chat I wasn't meant to see",
        "A colleague accidentally shared her screen in a call and I saw a group chat called "
        "'The Real Team' with everyone except me. The last message was about my accent, with a "
        "gif of someone doing an impression. I closed my laptop and pretended my internet "
        "dropped. I have to present to them on Thursday. I don't know how I'm going to look at "
        "any of them.",
        "Finding out there's a chat with everyone but you, and seeing them mock your accent, "
        "sounds like a punch in the stomach. Closing your laptop makes complete sense. It "
        "sounds like Thursday now feels enormous: standing in front of people you know have "
        "been laughing at you. What goes through your mind when you picture that presentation?"),
    # Intimidation by a manager
    Scenario(
        "closed-door", "intimidation", "The door closes",
        "My manager has started closing the door in our one-to-ones and standing over my desk "
        "when he talks. Last week he said 'people who make trouble here don't last long' after "
        "I questioned a deadline. He's never hit anyone, it's nothing I can prove. But my heart "
        "races every time I see a calendar invite from him. My partner says I'm overthinking.",
        "I'm really sorry you're dealing with this. A closed door, him standing over you, and a "
        "warning that 'people who make trouble here don't last long', just for asking about a "
        "deadline: that sounds frightening. It makes sense that your heart races, whether or "
        "not you can prove anything. It sounds lonely too, if even your partner thinks you're "
        "overthinking. What happens for you when one of those invitations lands?"),
    Scenario(
        "long-memory", "intimidation", "Threats dressed as feedback",
        "Since I raised concerns about the safety checks being skipped, my director has "
        "scheduled me for weekly 'performance conversations'. In the last one she read out a "
        "list of my minor errors from the past two years and said she 'has a very long memory'. "
        "My reviews were excellent until this year. I feel watched all the time, and I have "
        "started making mistakes because I am so anxious.",
        "I'm sorry; that sounds like a frightening position to be in. Since you spoke up about "
        "the safety checks, it sounds like the ground has shifted under you: weekly meetings, a "
        "list going back two years, and 'a very long memory', which sounds like a warning. I "
        "can hear how the constant feeling of being watched is wearing you down, to the point "
        "of making the mistakes you're afraid of. How are you holding up, going into those "
        "meetings each week?"),
    Scenario(
        "midnight-messages", "intimidation", "Messages at midnight",
        "my boss messages me at 11pm, midnight, 'call me NOW'. if I don't answer in like 5 min "
        "he sends '???' then 'this is unacceptable'. next day acts like nothing happened. I "
        "keep my phone on the pillow. I've started dreading the buzz. my sister says turn it "
        "off but I'm scared of what he'd do",
        "I'm sorry, that sounds like a lot to live with. Keeping your phone on your pillow and "
        "dreading the buzz sounds exhausting, like you're never really off, even at midnight. "
        "And it makes sense that switching it off doesn't feel like an option when you're "
        "scared of how he'd react. What is it you're most afraid he would do?"),
    # Bullying in team chat
    Scenario(
        "clown-emoji", "team-chat", "The clown emoji",
        "Every time I post in the team channel, two people react with the clown emoji. Every "
        "single time. Even when I posted that my dad was in hospital. When I asked about it, "
        "one of them said 'it's just banter, relax'. Now I draft messages five times before "
        "sending and mostly I don't post at all. My manager is in the channel and has never "
        "said anything.",
        "A clown emoji on everything, even when you shared that your dad was in hospital, "
        "sounds cruel, and being told to relax when you asked about it would leave anyone "
        "feeling brushed off. It sounds like you've gone quiet to protect yourself, while your "
        "manager watches and says nothing. How has all this been affecting you?"),
    Scenario(
        "typo-screenshot", "team-chat", "Screenshots passed around",
        "someone in my team screenshotted a message I wrote in the project channel (I made a "
        "typo, wrote 'pubic' instead of 'public' 🙃) and it's been going round other channels "
        "all week with comments. people I've never met are DMing me the screenshot. I know it's "
        "kind of funny but I want to disappear. I'm 23 and this is my first job",
        "Having one typo turned into something strangers keep sending you, for a whole week, "
        "sounds mortifying. It makes sense that you want to disappear, even if you can see why "
        "others find it funny, and being in your first job probably makes it feel even more "
        "exposing. What has it been like for you, seeing it come back again and again?"),
    Scenario(
        "unanswered-questions", "team-chat", "Silence in the channel",
        "I'm the only one in our team who works from the Leeds site. When I ask a question in "
        "the team chat it just sits there. No replies. Then someone asks the same question an "
        "hour later and gets five answers. I tested it once on purpose and it happened again. I "
        "know how that sounds. I've started wondering whether I'm imagining it, or whether I'm "
        "actually bad at my job and they're all too polite to say.",
        "I'm sorry, that sounds really isolating. Asking a question and getting silence, then "
        "watching the same question get five answers an hour later, and seeing it happen again "
        "when you tested it, doesn't sound like imagining things. It sounds like it has left "
        "you doubting yourself, even wondering whether you're bad at your job. What has it been "
        "like being the one in Leeds?"),
    # Microaggressions
    Scenario(
        "excellent-english", "microaggression", "'Your English is excellent'",
        "I grew up in Birmingham. My parents are from Nigeria. Yesterday a new director said "
        "'your English is excellent, where did you learn it?' in front of the client. Everyone "
        "smiled. It's not the first time, it's maybe the twentieth, and I'm tired of explaining "
        "and tired of being told I'm 'too sensitive' when I mention it. I smiled too. I hate "
        "that I smiled.",
        "I'm so sorry. The twentieth time, in front of a client, and then smiling through it. "
        "That sounds exhausting: carrying the comment and also the pressure to be gracious "
        "about it. I can hear how much you hate that you smiled, and it makes sense to me that "
        "you did. What was going on for you in that moment?"),
    Scenario(
        "close-enough", "microaggression", "'Close enough!'",
        "My name is Nguyễn Thị Thu Hằng. At work I say 'call me Hang' to make it easy. But my "
        "manager calls me 'Hank' and laughs, and now the others do it too, even in emails to "
        "other teams. When I correct him he says 'close enough!'. It's a small thing. But every "
        "day, small thing. I feel like I'm a joke.",
        "I'm sorry; it doesn't sound small at all when it happens every day. You already made "
        "your name easier for them, and being called 'Hank' with a laugh, now even in emails to "
        "other teams, sounds like it has turned you into a joke in their eyes. That must hurt. "
        "What is it like for you when you hear it?"),
    Scenario(
        "ok-boomer", "microaggression", "Too old to get it",
        "I'm 58. I've been in this department longer than most of my colleagues have been "
        "alive, as they like to remind me. 'OK boomer' in meetings, 'let's ask someone who "
        "knows computers' when I'm the one who set up the system. It's always said with a "
        "smile. If I object I'm the grumpy old man. I'm starting to count the days to "
        "retirement, and I never used to feel like that.",
        "Having your experience turned into a punchline, when you're the one who set up the "
        "system, sounds wearing, and the smile makes it hard to object without being cast as "
        "the grumpy one. It sounds sad, too, that you've started counting the days when you "
        "never used to. What has changed for you in how work feels?"),
    Scenario(
        "baby-brain", "microaggression", "'Baby brain'",
        "Since I told my team I'm pregnant, I've been left off two projects 'so I don't get "
        "stressed'. My manager jokes about 'baby brain' whenever I make a small mistake. Nobody "
        "asked me what I want. I know they probably think they're being kind. But I feel like "
        "I'm being written off, and I'm only five months in.",
        "I'm sorry you're going through this while pregnant. Being taken off two projects "
        "without anyone asking what you want, and hearing 'baby brain' every time you slip up, "
        "sounds like being written off while you're right there doing the job. It makes sense "
        "that their kindness doesn't feel kind. How have these months been for you?"),
    # Fear of retaliation
    Scenario(
        "mortgage", "retaliation", "If I report it, I'm next",
        "I've watched our team lead bully two people out of the team. Both left within a year. "
        "I'm pretty sure I'm next, the same comments have started. I want to report it, but the "
        "last person who went to HR got moved to night shift a month later. I've got a "
        "mortgage. I can't afford to lose this job. So I keep quiet and feel like a coward.",
        "I'm so sorry you're in this position. Watching two people pushed out, seeing the same "
        "comments start on you, and knowing what happened to the last person who went to HR: it "
        "makes sense that speaking up feels dangerous with a mortgage to pay. Keeping quiet to "
        "protect yourself doesn't sound cowardly to me; it sounds like you're in a really tight "
        "spot. How has it been affecting you, going in every day?"),
    Scenario(
        "will-it-get-back", "retaliation", "Will it get back to him?",
        "Before I say anything: if I tell you what's happening in my team, will it get back to "
        "my manager? Because if it does, I'm finished here. He already knows someone complained "
        "last year and he's been trying to find out who. I need to know this stays between us. "
        "Please. I can't go through another year like the last one.",
        "I'm glad you asked first; it sounds like a lot is riding on this for you, after a year "
        "that sounds like it was really hard. The honest answer: what you tell me stays between "
        "us, and I won't pass it to your manager or anyone else. The one exception is if I "
        "believed someone's life or safety was at serious risk, and even then I'd talk with you "
        "first. How does that feel to hear?"),
    Scenario(
        "witness-statement", "retaliation", "After my witness statement",
        "Six months ago I gave a witness statement in a harassment case against a colleague. He "
        "kept his job. Since then my shifts keep getting changed at short notice, I've been "
        "taken off the training rota, and two people who are friends with him have stopped "
        "speaking to me. Nobody says it's connected. I'm starting to regret ever opening my "
        "mouth.",
        "I'm sorry, that sounds really unfair. You did something brave six months ago, and "
        "since then your shifts keep moving, you've lost the training rota and two people have "
        "gone silent. It sounds like you're paying for it, even if nobody says so out loud, and "
        "I can understand regret creeping in. What has it been like to carry this on your own?"),
    Scenario(
        "contract-renewal", "retaliation", "Conscience or rent",
        "I am on a fixed-term contract that is up for renewal in March. The person who decides "
        "is the same manager who shouts at us in the morning briefing and calls people "
        "'useless' by name. I have written down every incident since October. I want to do "
        "something with it, but I am afraid that anything I do now will cost me the renewal. I "
        "feel trapped between my conscience and my rent.",
        "I'm sorry you're carrying this. Trapped between your conscience and your rent sounds "
        "like a heavy place to be. You've been writing everything down since October, which "
        "tells me how much this matters to you, and the person who could make it stop is the "
        "same one who decides your renewal. What feels heaviest about it right now?"),
    # A bystander who wants to help
    Scenario(
        "code-reviews", "bystander", "Watching the new graduate get picked on",
        "There's a new guy in our team, quiet, just out of uni. Our senior engineer has been "
        "ripping into his code reviews in the public channel. Not the code, him. 'Did you even "
        "go to university?', that kind of thing. The kid looks wrecked. I'm not his manager and "
        "I don't want to make it worse for him by barging in. But I feel terrible doing "
        "nothing.",
        "That sounds hard to watch: comments aimed at him rather than his code, in front of "
        "everyone, and him looking wrecked. I can hear how much you care, and that you're torn "
        "between wanting to step in and worrying you'd make things worse for him. What has been "
        "going through your mind as you've watched it happen?"),
    Scenario(
        "promise-to-a-friend", "bystander", "My friend made me promise",
        "my closest work friend is being bullied by her manager. like properly. she cries in "
        "the toilets. she made me promise not to tell anyone. but it's getting worse and I'm so "
        "worried about her. should I break the promise?? I feel like whatever I do I'm "
        "betraying her",
        "I'm sorry, that's such a hard position to be in: you care about her, you've seen her "
        "crying in the toilets, and you made her a promise. No wonder every option feels like a "
        "betrayal. I'm glad to think it through with you. What are you most worried might "
        "happen to her if nothing changes?"),
    Scenario(
        "laughed-along", "bystander", "I laughed along",
        "In a meeting yesterday our head of department made a joke about a colleague's weight, "
        "and everyone laughed, including me. I didn't even think, I just laughed. She went red "
        "and left early. I haven't been able to stop thinking about it. I feel ashamed. I want "
        "to do something, but I also don't want to make it a bigger deal for her than it "
        "already is.",
        "I'm sorry you're feeling this. It sounds like you've been carrying real shame since "
        "yesterday: you saw her go red and leave, and you know you were part of the laughter. "
        "That you can't stop thinking about it says a lot about how much you care about her. "
        "What has been the hardest part of it for you since?"),
    # A colleague accused of bullying
    Scenario(
        "intimidating-tone", "accused", "They say my tone is intimidating",
        "HR told me there's a complaint about me. Apparently my 'tone' in feedback is "
        "'intimidating'. I've been a team lead for eight years and I've always been direct, "
        "that's how I was trained. Nobody ever said anything to my face. Now I don't know who "
        "complained, I don't know what exactly I said, and I feel like everyone's looking at me "
        "like I'm a monster.",
        "Finding out through HR, without knowing who or what exactly, sounds disorienting, and "
        "it sounds like you're feeling judged as a person, not only for how you give feedback. "
        "After eight years of doing it the way you were taught, that's a lot to take in. What "
        "has been going through your mind since HR told you?"),
    Scenario(
        "haircut-joke", "accused", "It was one joke",
        "I've been told to 'reflect on my behaviour' because of a joke I made in the team chat "
        "about a colleague's haircut. ONE joke. We all joke in that chat. Now she won't speak "
        "to me and my manager is treating me like some kind of predator. I think it's "
        "ridiculous, but I also can't sleep, so clearly something is bothering me.",
        "That sounds like a rough few days, and I'm sorry you can't sleep. It sounds like a lot "
        "is landing on you at once: feeling the reaction is out of proportion, being treated "
        "differently by your manager, and a colleague you used to joke with no longer speaking "
        "to you. I noticed you said something is clearly bothering you, since you can't sleep. "
        "What do you think is keeping you up?"),
    Scenario(
        "safe-to-speak-up", "accused", "Am I the problem?",
        "I manage a team of nine. In the staff survey my team scored lowest in the department "
        "on 'I feel safe to speak up'. Two people said in exit interviews that I made them feel "
        "small. I honestly didn't see it. I'm under pressure from above and I know I pass some "
        "of it down. I don't want to be that manager. I don't know whether to feel defensive or "
        "ashamed, and I'm not sure who I can even say this to.",
        "I'm glad you told me, and it takes courage to look at this rather than explain it "
        "away. It sounds like you're caught between defensiveness and shame, with the pressure "
        "from above in there too, and on top of that not knowing who you could safely say it "
        "to. What was it like for you to read those exit interviews?"),
    Scenario(
        "friday-drinks", "accused", "She says I left her out",
        "A colleague told our manager I've been excluding her: not inviting her to our Friday "
        "drinks, leaving her out of the project chat. The project chat was set up before she "
        "joined and honestly I didn't think about adding her. The drinks are just friends. I "
        "feel awful, and also a bit angry that she went to the manager instead of talking to "
        "me. Now it's awkward every time we're in the same room.",
        "I'm sorry, that sounds uncomfortable for both of you. It sounds like you're holding "
        "two things at once: feeling awful that she felt left out, and hurt that she went to "
        "your manager rather than to you. And now there's that awkwardness every time you're in "
        "the same room. What has it been like for you since you found out?"),
)

BY_SLUG: dict[str, Scenario] = {scenario.slug: scenario for scenario in SCENARIOS}


def scenario_for(slug: str) -> Scenario | None:
    return BY_SLUG.get(slug)


def next_scenario(after: str, done: set[str] | frozenset[str] = frozenset()) -> Scenario | None:
    """The next scenario in the list after AFTER that is not DONE (wrapping round), if any."""
    slugs = [scenario.slug for scenario in SCENARIOS]
    start = slugs.index(after) + 1 if after in slugs else 0
    for offset in range(len(slugs)):
        candidate = SCENARIOS[(start + offset) % len(slugs)]
        if candidate.slug != after and candidate.slug not in done:
            return candidate
    return None
