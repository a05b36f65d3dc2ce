"""The words of the demo's history, written for it: what colleagues and supporters say in the
support conversations, what recognitions thank people for, the questions people ask. The seed
combines them with its fixed random seed, so every run tells the same story.

No real person or event is described; every line is invented for Brightwater."""

from __future__ import annotations

# Support conversations ------------------------------------------------------------------------

# A colleague's first message, by topic.
OPENINGS: dict[str, list[str]] = {
    "bullying": [
        "Someone senior keeps making jokes about my accent in team calls. Everyone laughs and "
        "I laugh along, but I dread the Monday stand-up now.",
        "A colleague has started copying me out of threads and then telling people I missed "
        "deadlines I never knew about. I don't know if I'm imagining a pattern.",
        "I was shouted at in front of the whole warehouse shift last week. Nobody said "
        "anything afterwards and I feel stupid for still being upset about it.",
        "There's a group chat about me. A friend showed me screenshots. I haven't told anyone "
        "else yet.",
        "My lead comments on what I eat at lunch, every day, in front of people. It sounds "
        "small when I write it down.",
    ],
    "conflict": [
        "My project partner and I disagree about nearly everything and it has turned into "
        "silence. We have a launch in three weeks.",
        "I had a heated exchange with someone from Finance in a meeting and I said things I "
        "regret. I don't know how to walk back into that room.",
        "Two people in my team aren't speaking to each other and I'm stuck carrying messages "
        "between them.",
        "I feel like my manager and I want completely different things from my role and we "
        "keep talking past each other.",
        "A customer escalation went badly and I think my colleague blamed me to protect "
        "themselves.",
    ],
    "excluded": [
        "Since I moved to the Toronto office the team plans everything in Leeds hours. I find "
        "out about decisions a day late.",
        "Everyone in my team goes for drinks after work and I don't drink. The invitations have "
        "quietly stopped.",
        "I came back from parental leave and my projects had been handed to others. Nobody "
        "told me why.",
        "I'm the only person on my shift who works part time and I keep being left off the "
        "rota discussions.",
        "I started four months ago and still eat lunch alone most days. I don't know how "
        "people make friends here.",
    ],
    "workload": [
        "I've worked every weekend this month to keep up and I'm starting to make mistakes. "
        "I'm scared to say so in case it looks like I can't cope.",
        "We lost two people in the team and their work landed on me. I can't sleep on Sunday "
        "nights any more.",
        "I'm covering for my lead while they're off and I don't know what I'm allowed to say "
        "no to.",
        "The new planning system doubled my admin and I'm behind on everything else. I feel "
        "like I'm failing at a job I used to be good at.",
        "My caring responsibilities at home have grown and work doesn't know. I'm running "
        "out of energy for both.",
    ],
    "other": [
        "I've been offered a role in another team and I feel guilty even thinking about "
        "leaving mine. Can I talk it through with someone neutral?",
        "I made a mistake that cost the company money. It's been fixed, but I keep replaying "
        "it.",
        "Things at home are hard at the moment and I just need to say it out loud to someone "
        "who isn't family.",
        "I'm not sure what I need. Work feels heavy lately and I can't put my finger on why.",
        "A close colleague left suddenly and nobody has explained anything. I miss them and "
        "feel oddly shaken.",
    ],
}

# A supporter's first reply: reflecting, then asking.
FIRST_REPLIES = [
    "Thank you for writing this down; that takes some courage. It sounds like it has been "
    "weighing on you for a while. What has been the hardest part this week?",
    "I'm glad you reached out. It sounds exhausting to carry this on your own. Would it help "
    "to start with what happened most recently?",
    "That sounds really unsettling, and it makes sense that you're still thinking about it. "
    "How are you feeling right now, as you write to me?",
    "I hear how much this matters to you. Nothing you've said sounds stupid to me. What would "
    "you most like to get out of our conversation?",
    "Thanks for trusting me with this. It sounds lonely to notice it and not know who to tell. "
    "Has anything made it a little easier so far?",
    "It sounds like you've been holding this together for a long time. I'm here to listen, "
    "not to judge. Where would you like to start?",
]

# The colleague answers.
FOLLOW_UPS = [
    "Honestly the hardest part is not knowing whether I'm overreacting.",
    "I think I just needed someone to say it isn't normal. It helps to hear that.",
    "Mostly I'd like to figure out what I can do next without making it worse.",
    "I haven't told my manager. I'm not sure they'd understand.",
    "Writing it out already makes it feel a bit more manageable.",
    "I'm tired. I want it to stop, but I don't want a big drama either.",
    "I talked to my partner about it but they just say I should quit.",
    "It comes and goes. Some days are fine and then something small sets it off again.",
]

# The supporter goes on: exploring options without telling the colleague what to do.
SECOND_REPLIES = [
    "It doesn't sound like overreacting to me; it sounds like you noticed something real. "
    "What would a small step that feels safe look like for you?",
    "You get to decide what happens next, and there's no rush. Some people find it useful to "
    "write down dates and what was said, just for themselves. How does that sound?",
    "It sounds like you want this handled quietly and fairly. Would it help to think through "
    "who you trust enough to raise it with?",
    "I can hear how tired you are. What helps you recharge, even a little, at the moment?",
    "That's a lot to hold. If you'd like, we could look at the options Haven and the company "
    "offer, and you can choose what fits.",
    "It makes sense to want a calm way forward. What would be different in a month if things "
    "went well?",
]

CLOSINGS_COLLEAGUE = [
    "Thank you, this really helped. I'll try the first step this week.",
    "I feel calmer than when I started. Thanks for listening.",
    "I think I know what I want to do now. Thank you for your patience.",
    "Thanks. I might come back if it flares up again.",
]

CLOSINGS_SUPPORTER = [
    "I'm really glad we talked. You can start a new conversation any time, with me or anyone "
    "else on the team.",
    "Take care of yourself this week. You handled a hard thing thoughtfully.",
    "It was good to hear you sounding steadier. I'll close this now; reach out whenever you "
    "need to.",
]

# What a supporter promises to do.
COMMITMENTS = [
    "Send the list of the company's wellbeing resources.",
    "Check in on Thursday to hear how the conversation with your lead went.",
    "Find out how the flexible-hours request works and share the steps.",
    "Look up the contact for the employee assistance programme.",
    "Check back after the team meeting next week.",
]

HANDOVER_NOTE = ("I'm going to be away for a few weeks, so I'd like to hand over to another "
                 "supporter who can keep going with you. Nothing changes unless you agree.")

ESCALATION_COLLEAGUE = ("Some nights I don't see the point of any of it any more. I haven't "
                        "told anyone that.")
ESCALATION_SUPPORTER = ("Thank you for telling me; I'm taking it seriously. I'd like to bring "
                        "in our safety contact so you get the right support today. You won't "
                        "be on your own with this.")

# Recognition ----------------------------------------------------------------------------------

VALUES = [
    ("Look after each other", "We notice when someone is struggling and make room for them."),
    ("Own the outcome", "We finish what we start, and say early when we can't."),
    ("Curious by default", "We ask before we assume, and learn out loud."),
    ("Keep it simple", "We choose the plain way that our colleagues and customers understand."),
]

RECOGNITION_MESSAGES = [
    "Stayed late to help me untangle the release notes and never once made me feel slow.",
    "Ran the most patient onboarding session I've ever sat through. Three new starters told me "
    "so.",
    "Spotted a pricing error before it reached any customer. Quietly saved us a bad week.",
    "Took the difficult call with the supplier so the rest of us didn't have to, and kept "
    "everyone in the loop.",
    "Rewrote our shift handbook in plain language. The night team finally reads it.",
    "Covered my on-call weekend at short notice when my daughter was ill. Thank you.",
    "Asked the question in the all-hands that everyone else was thinking.",
    "Turned a messy spreadsheet into a dashboard the whole department now uses.",
    "Made our Singapore colleagues feel part of the planning day, time zones and all.",
    "Gave the clearest feedback on my design I've had in years: kind and specific.",
    "Organised the charity bake sale and somehow got Finance to bake.",
    "Mentored two apprentices through their first audit with endless good humour.",
    "Kept the warehouse running through the storm outage and made sure everyone got home "
    "safely.",
    "Remembered that I was nervous about my presentation and checked in afterwards.",
    "Found the bug that had been haunting the mobile app for three sprints.",
    "Welcomed the new partnership team with a proper tour and lunch.",
]

TEAM_MESSAGES = [
    "Shipped the new route planner a week early without a single weekend worked.",
    "Answered every customer ticket during the holiday rush within a day.",
    "Closed the quarter's books calmly and on time, again.",
    "Made the office move feel easy for everyone else.",
]

COMMENTS = [
    "Couldn't agree more!",
    "This is so deserved.",
    "Yes! I saw this first-hand.",
    "Thank you from all of us on the night shift.",
    "Love seeing this here.",
    "Well said.",
]

# Activities -----------------------------------------------------------------------------------

ACTIVITIES = [
    ("Lunchtime walk by the canal", "An easy 40-minute loop; we set off from reception.",
     "Leeds reception", ""),
    ("Board games evening", "Bring a game or learn a new one. Snacks provided.",
     "Toronto office, 3rd floor kitchen", ""),
    ("Dumpling-making workshop", "Learn to fold dumplings with our Singapore team.",
     "Singapore office pantry", ""),
    ("Book club: short stories", "This month: any short story you loved. Five minutes each.",
     "", "https://meet.example/brightwater-books"),
    ("Beginners' yoga", "Gentle stretching for desk-bound backs. Mats available.",
     "Leeds, meeting room Aire", ""),
    ("Quiz night", "Teams of four, mixed departments. Prizes are mostly chocolate.",
     "", "https://meet.example/brightwater-quiz"),
    ("Volunteering: food bank sort", "Half a day sorting donations with a local food bank.",
     "Leeds city food bank", ""),
    ("Photo walk", "Bring a phone or camera; we share the best shots afterwards.",
     "Toronto waterfront, meet at the ferry terminal", ""),
]

# Open questions -------------------------------------------------------------------------------

QUESTIONS = [
    ("Will hybrid working stay the same next year, or is a return to the office planned?",
     "Hybrid stays. Teams agree their own office days; there is no company-wide change "
     "planned for next year."),
    ("Can part-time colleagues join the leadership programme?",
     "Yes. From the spring intake the programme runs in half days so part-time colleagues can "
     "join; apply through the People Team."),
    ("Why did the Singapore office lose its Friday team lunch budget?",
     "It was a mistake in the new expense rules and has been restored from this month. Sorry "
     "for the confusion."),
    ("Is there a plan to make the warehouse break room cooler in summer?", ""),
    ("How are pay bands decided, and can we see them?", ""),
    ("Could we get a quiet room in the Toronto office?", ""),
    ("What happens to our on-call rota over the holidays?",
     "Each team publishes its rota by 1 December; on-call over the holidays earns a day off "
     "in lieu."),
    ("Will the new planning system get proper training sessions?", ""),
]

# Speak-up: the demo colleague's journal, and reports about one person ------------------------

# (days ago, where, what happened, how it affected me)
JOURNAL = [
    (75, "Weekly planning meeting",
     "My idea for the rota was dismissed as “typical” and laughed at in front of the team. "
     "When I tried to explain, I was told to stop wasting everyone's time.",
     "I stayed quiet for the rest of the meeting and did not sleep well."),
    (48, "Team chat",
     "A message in the team channel called my report “a mess again” with everyone copied in. "
     "Two colleagues reacted with a laughing face.",
     "Embarrassed. I re-checked the report three times; it was correct."),
    (27, "Corridor by the canteen",
     "I was told, with nobody else around, that I should “think about whether this job is "
     "right for me” after I asked for help with a deadline.",
     "Anxious about asking for help at all now."),
    (9, "Weekly planning meeting",
     "Left off the invitation to the planning session for my own project. Found out "
     "afterwards from a colleague.",
     "Felt shut out on purpose. I talked it through with a peer supporter."),
]

REPORTS = [
    ("Repeatedly belittles people's work in team meetings, in front of everyone.",
     "Most weeks since the summer", "Weekly planning meeting"),
    ("Shouted at me about a late delivery and then copied the whole team into a message "
     "saying I could not be trusted with anything.",
     "Early November", "Team chat and the office"),
    ("Leaves certain people out of meetings about their own work, and says it was an "
     "oversight when asked.",
     "Over the last two months", "Planning sessions"),
]
HELD_REPORT = ("Makes remarks about my accent when I present.", "Last month",
               "Client calls")
