"""The world of Northwind in words: cast, places, plot threads, the vocabulary of its speech, and
its short stories.

All of it is original, invented for Sealroom. The dialogue table is built from this vocabulary in
`franchise.py` (vectorised); the stories are written here, one seeded `random.Random` per story.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CastMember:
    name: str
    role: str
    faction: str
    first_episode: str  # canonical introduction, e.g. "S1E01"
    weight: float  # how often the character is in a scene (main cast > recurring)
    relationships: tuple[str, ...]  # "sister of Marta Ferro", ...
    look: tuple[int, int, int, int]  # portrait traits: skin, hair colour, hair style, headwear

    @property
    def first_name(self) -> str:
        return self.name.split()[-2] if self.name.startswith("Dr. ") else self.name.split()[0]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


FACTIONS = (
    "Lighthouse Trust",
    "Ferro Boatyard",
    "Quill Shipping Company",
    "Harbour Office",
    "Low Quay",
    "Town Council",
    "Newcomers",
)

CAST: tuple[CastMember, ...] = (
    CastMember("Ada Ferro", "lighthouse keeper", "Lighthouse Trust", "S1E01", 5.0,
               ("sister of Marta Ferro", "rival of Tomas Quill", "mentor of Lio Brannock"), (1, 0, 0, 1)),
    CastMember("Marta Ferro", "boatwright", "Ferro Boatyard", "S1E01", 3.5,
               ("sister of Ada Ferro", "business partner of Wren Halloway"), (1, 0, 2, 0)),
    CastMember("Tomas Quill", "shipping heir", "Quill Shipping Company", "S1E01", 4.0,
               ("son of Oren Quill", "rival of Ada Ferro", "old flame of Hesper Vane"), (2, 1, 1, 0)),
    CastMember("Oren Quill", "shipowner", "Quill Shipping Company", "S1E02", 2.5,
               ("father of Tomas Quill", "creditor of Greta Oakum"), (0, 4, 3, 2)),
    CastMember("Isolde Marrin", "harbourmaster", "Harbour Office", "S1E01", 3.5,
               ("superior of Perrin Ash", "ally of Ada Ferro"), (3, 2, 4, 3)),
    CastMember("Benedek Sallow", "customs inspector", "Harbour Office", "S1E02", 2.0,
               ("pursuer of Cass Dunmore", "informant for Oren Quill"), (0, 3, 3, 3)),
    CastMember("Wren Halloway", "ferry pilot", "Low Quay", "S1E01", 3.0,
               ("business partner of Marta Ferro", "cousin of Nell Corrigan"), (4, 5, 5, 4)),
    CastMember("Hesper Vane", "keeper of the Drowned Bell tavern", "Low Quay", "S1E01", 3.0,
               ("old flame of Tomas Quill", "confidante of Cass Dunmore"), (2, 6, 2, 0)),
    CastMember("Cass Dunmore", "net-mender and part-time smuggler", "Low Quay", "S1E03", 2.5,
               ("confidante of Hesper Vane", "quarry of Benedek Sallow"), (3, 7, 5, 4)),
    CastMember("Aurel Stoke", "town archivist", "Town Council", "S1E03", 1.5,
               ("adviser to Greta Oakum", "keeper of Ada Ferro's family papers"), (0, 8, 3, 5)),
    CastMember("Lio Brannock", "apprentice lighthouse keeper", "Lighthouse Trust", "S1E02", 2.5,
               ("apprentice of Ada Ferro", "friend of Saoirse Lund"), (4, 1, 1, 1)),
    CastMember("Greta Oakum", "mayor of Northwind", "Town Council", "S1E02", 2.0,
               ("debtor of Oren Quill", "employer of Aurel Stoke"), (1, 8, 4, 5)),
    CastMember("Perrin Ash", "radio operator", "Harbour Office", "S1E04", 1.5,
               ("deputy of Isolde Marrin", "rival of Lio Brannock"), (2, 2, 0, 0)),
    CastMember("Nell Corrigan", "fishmonger at the Kelp Market", "Low Quay", "S1E02", 2.0,
               ("cousin of Wren Halloway", "creditor of Cass Dunmore"), (3, 3, 2, 4)),
    CastMember("Yusuf Tarrant", "town doctor", "Town Council", "S1E03", 1.5,
               ("physician to Oren Quill", "chess partner of Aurel Stoke"), (5, 0, 3, 0)),
    CastMember("Saoirse Lund", "marine surveyor from the mainland", "Newcomers", "S1E05", 2.0,
               ("friend of Lio Brannock", "tenant of Hesper Vane"), (0, 9, 2, 1)),
)

PLACES = (
    "the lighthouse at Gull Point", "Low Quay", "the Salt Exchange", "the Drowned Bell",
    "the Ferro boatyard", "Netmakers' Row", "the breakwater", "the Cobble Stair",
    "the Customs House", "Widow's Reach", "the old ice house", "the Kelp Market",
    "the Harbour Office", "the ferry slip", "the town hall", "the chart room",
)
# Scene headings (title case) for the same places.
LOCATIONS = tuple(p[0].upper() + p[1:] for p in PLACES)

# Plot threads: an episode follows one; its lines call back to it.
THREADS = (
    "the lease on the lighthouse", "the Marigold's last crossing", "the amber in the ice house",
    "the storm-wall vote", "the Quill contract", "the bell that rings at low tide",
    "the missing logbook", "the new radio mast", "the herring that never came",
    "the stranger at Gull Point", "the flooded cellar under the Exchange", "the mayor's debts",
    "the false lights on Widow's Reach", "the winter regatta", "the survey of the sandbar",
    "the fire at the rope walk",
)

# --- dialogue vocabulary ------------------------------------------------------------------------
V_PAST = (
    "hauled", "hid", "mended", "sold", "burned", "found", "counted", "lost", "signed", "painted",
    "buried", "traded", "stole", "locked", "tarred", "weighed", "carried", "checked", "forged",
    "opened", "salted", "repaired", "borrowed", "returned", "moved", "lit", "sank", "logged",
)
V_BASE = (
    "haul", "hide", "mend", "sell", "burn", "find", "count", "lose", "sign", "paint", "bury",
    "trade", "lock", "tar", "weigh", "carry", "check", "forge", "open", "salt", "repair",
    "borrow", "return", "move", "light", "log", "fetch", "guard",
)
OBJECTS = (
    "the spare lantern", "the harbour ledger", "the Quill manifests", "a crate of amber",
    "the ferry's logbook", "the keeper's key", "the mayor's letter", "two barrels of tar",
    "the tide tables", "the signal flags", "a coil of new rope", "the brass foghorn",
    "the survey charts", "the customs seal", "the boatyard deeds", "a sack of salt",
    "the lens cloth", "the rope-walk accounts", "the radio valves", "the chapel bell rope",
    "the old anchor chain", "a basket of herring", "the winter nets", "the storm shutters",
    "the council minutes", "a bottle of rum", "the mooring fees", "the lamp oil",
    "the cellar keys", "a tin of biscuits", "the regatta trophy", "the sandbar markers",
)
WHEN = (
    "before the tide turns", "by morning", "after the last ferry", "before the council sits",
    "tonight", "at first light", "before the storm", "by the end of the week", "at low water",
    "while the fog holds", "before Oren wakes", "after the bell stops", "when the lamp is lit",
    "before the mainland boat", "this very hour", "after the regatta",
)
PREP_PLACES = tuple(f"{prep} {p}" for prep in ("down to", "out past", "behind", "under")
                    for p in PLACES)
ADJ = (
    "old", "rotten", "brass", "borrowed", "salt-stained", "cracked", "new", "crooked",
    "drowned", "painted", "stolen", "quiet", "broken", "heavy", "lucky", "damp",
)
THINGS = (
    "lamp", "ledger", "bell", "jetty", "boat", "key", "mast", "ladder", "window", "stove",
    "chart", "crate", "rudder", "lantern", "door", "compass",
)
STATES = (
    "leaking again", "worth more than the boat", "not where I left it", "older than the town",
    "the least of our worries", "ringing on its own", "gone to the bottom", "back in its place",
    "someone's idea of a joke", "still warm", "signed in the wrong hand", "soaked through",
    "half the reason we're here", "going to cost us", "missing a page", "covered in tar",
)
CONSEQUENCES = (
    "come back to bite us", "sink the whole harbour", "cost us the lighthouse",
    "end up in front of the council", "ruin the regatta", "make Oren a rich man",
    "bring the customs men down on us", "split the town in two", "wash up on Low Quay",
    "keep me awake all winter", "be the talk of the Drowned Bell", "put Marta out of business",
)
FEEL = ("don't trust", "keep thinking about", "can't stop worrying about", "dreamt about",
        "am sick of hearing about", "have a bad feeling about", "know the truth about",
        "won't lie to you about")
REASONS = (
    "and you know why", "because nobody else will", "since the night of the gale",
    "more than I should", "whatever the mayor says", "and so should you", "if I'm honest",
    "every time the fog comes in", "ever since I was a child", "for all the good it does",
)
GOSSIP = (
    "the Quills are buying up the quay", "the lamp went dark for an hour last night",
    "someone has been rowing out to the sandbar", "the council will vote against the wall",
    "the mainland wants its survey back", "there's amber under the ice house floor",
    "the ferry was seen off Widow's Reach", "the mayor owes money to half the town",
    "the customs seal was forged", "the old bell has been moved", "the radio picked up a voice",
    "the herring have gone north for good", "Hesper is selling the tavern",
    "the logbook turned up in a herring crate",
)
OPEN_SOLO = (
    "Hold on.", "Listen to me.", "Right, then.", "Look here.", "Oh, for pity's sake.",
    "Tide's turning.", "Not now.", "Well, well.", "Quiet a moment.", "Honestly.",
    "Mind the rope.", "Stars and salt.", "Easy now.", "Come inside.",
)
OPEN_NAMED = ("{you}, listen.", "{you}, wait.", "Oh, {you}.", "{you}!", "Steady, {you}.",
              "Morning, {you}.", "Not you too, {you}.", "{you}, please.")
EXCLAIM = (
    "Get that {adj} {thing} off my {thing2}, {you}!", "Nobody touches {obj} until {Them} says so!",
    "That {adj} {thing} will be the death of me, {you}!", "Keep {obj} away from {place}!",
    "You call that a {thing}, {you}? I've seen better at {place}.", "Whose {adj} {thing} is this, {you}?",
)
CORE = (
    "{Them} {v_past} {obj} {prep_place}.",
    "Did you {v_base} {obj} {when}?",
    "I told you, {you}: {thread} would {consequence}.",
    "We need {obj} {when}, or {thread} will {consequence}.",
    "Nobody {v_past} {obj} until {thread} started.",
    "If {Them} finds out about {thread}, it will {consequence}.",
    "The {adj} {thing} at {place} is {state}.",
    "Why would {Them} {v_base} {obj} {prep_place}?",
    "I {feel} {thread}, {reason}.",
    "You should {v_base} {obj} {when}.",
    "{Them} told me at {place} that {gossip}.",
    "They say {Them} {v_past} {obj} {when}, {you}.",
    "Meet me at {place} {when}, {you}.",
    "Who {v_past} {obj} {prep_place}?",
    "I {v_past} {obj} myself, {reason}.",
    "Ask {Them} about {thread} {when}.",
    "Is the {thing} by {place} {state}?",
    "Tell {Them} to {v_base} {obj} {when}.",
    "Where did you put {obj}, {you}?",
    "{Them} {v_past} {obj}.",
    "Not {obj} again, {you}.",
    "Bring {obj} {when}.",
    "{Them} says the {thing} is {state}.",
)
SECOND = (
    "And bring {obj}.", "{Them} will want to know.", "Think about {thread}.",
    "That {thing} is {state}.", "I won't ask twice.", "We both know what happened {when}.",
    "Don't look at me like that, {you}.", "Go on, {you}.", "Then {v_base} {obj} {when}.",
    "Not one word about {thread}.", "It's {state}, {you}.", "{Them} saw it too.",
    "I'll be at {place}.", "You owe me, {you}.",
)
TITLE_PATTERNS = (
    "The {Adj} {Thing}", "Low Tide at {Place}", "What the {Thing} Knew", "{Name}'s {Thing}",
    "A {Thing} for {Name}", "Fog over {Place}", "The {Thing} and the {Thing2}",
    "Night at {Place}", "{Name} Keeps Watch", "The Last {Thing}",
)
TITLE_PLACES = ("Gull Point", "Low Quay", "the Exchange", "the Drowned Bell", "the Breakwater",
                "Widow's Reach", "the Ice House", "Netmakers' Row", "the Ferry Slip", "the Sandbar")
# Anything a line can be about: the named objects, "the cracked lantern", "Wren's compass".
ANY_OBJECT = OBJECTS + tuple(f"the {a} {t}" for a in ADJ for t in THINGS) + tuple(
    f"{c.first_name}'s {t}" for c in CAST for t in THINGS)
DIALOGUE_VOCAB: dict[str, tuple[str, ...]] = {
    "v_past": V_PAST, "v_base": V_BASE, "obj": ANY_OBJECT, "when": WHEN, "prep_place": PREP_PLACES,
    "place": PLACES, "adj": ADJ, "thing": THINGS, "thing2": THINGS, "state": STATES,
    "consequence": CONSEQUENCES, "feel": FEEL, "reason": REASONS, "gossip": GOSSIP,
}

# --- short stories ------------------------------------------------------------------------------
# Slots fixed for a whole story: P (protagonist), C (companion), A (antagonist), P_role, place,
# place2, thread, obj, weather, season. Any other slot is drawn afresh from STORY_VOCAB.
STORY_VOCAB: dict[str, tuple[str, ...]] = {
    "sound": ("the foghorn", "a loose shutter banging", "gulls fighting over the nets",
              "the bell buoy off the sandbar", "rain on the slates", "a winch turning somewhere",
              "the last ferry's engine", "boots on the Cobble Stair", "the wind in the rigging"),
    "smell": ("tar", "wet rope", "coal smoke", "herring", "lamp oil", "bladderwrack", "fresh bread",
              "rust", "salt and diesel"),
    "sight": ("upturned boats", "a line of drying nets", "the shuttered Salt Exchange",
              "lobster pots stacked like bricks", "a child's red boot on a bollard",
              "the council's new notice", "the old tide gauge", "chalk marks on the harbour wall"),
    "time": ("that evening", "just after midnight", "on the first cold morning of the year",
             "on the night of the spring tide", "an hour before the ferry", "at the turn of the tide"),
    "gesture": ("arms folded against the wind", "a lantern in each hand", "pretending to mend a net",
                "collar up and cap low", "reading the same page over and over"),
    "count_thing": ("crates", "barrels", "mooring rings", "keys on the board", "signatures",
                    "oil lamps", "lobster pots"),
    "n_word": ("eleven", "twelve", "nineteen", "forty", "six", "three"),
    "debris": ("a splintered oar and a single glove", "half a crate stamped with the Quill mark",
               "a bottle with the cork still in", "more kelp than anyone had seen in years"),
    "hiding_place": ("the bread oven", "a loose board in the chart room", "the foghorn housing",
                     "a stack of old tide tables", "the mayor's umbrella stand"),
    "evidence": ("wet footprints on the stair", "smell of pipe smoke", "open drawer",
                 "missing page", "fresh scratch on the lock"),
    "question": ("Did you ever wonder why the bell stopped?", "Who else knows?",
                 "How long have you kept this?", "What would your mother have said?",
                 "Are we really doing this tonight?", "Whose side are you on?"),
    "short_quote": ("Keep it dry.", "Don't open it here.", "You'll know when.", "It was always yours.",
                    "Not a word to Oren."),
    "memory": ("the winter the harbour froze", "the first time the lamp failed",
               "a boat with a blue hull going out and not coming back", "the old keeper's hands"),
    "revelation": ("a rowing boat where no boat should be", "the wreck's mast standing clear of the water",
                   "a figure on Widow's Reach, waving", "the breakwater, broken clean in two"),
    "laugh_desc": ("ends too early", "is mostly breath", "asks to be forgiven", "nobody joins in"),
    "growth": ("a second ship", "a body in the harbour", "a fortune in amber", "a curse"),
}
STORY_WEATHER = ("fog", "gale", "sleet", "sea mist", "first snow", "heat haze")
STORY_SEASONS = ("winter", "spring", "summer", "autumn")
STORY_TITLES = (
    "The {Thing} at {Place}", "{P} and the {Thing}", "What the Tide Left", "A {Weather} over {Place}",
    "The Keeper's {Thing}", "Low Water", "{P}'s Winter", "The {Adj} {Thing}", "Night Ferry to {Place}",
    "Salt in the {Thing}",
)
OPENINGS = (
    "The {weather} came in over Northwind {time}, and by the time {P} reached {place} the harbour had gone grey from end to end.",
    "Nobody in Northwind could remember a {season} like it: {weather} every morning, and the harbour full of boats that would not go out.",
    "{P} had been the {P_role} long enough to know when the sea was lying, and {time} it was lying.",
    "There is an hour in Northwind, just after {sound} falls silent, when the whole town seems to hold its breath.",
    "{P} woke before dawn to the sound of {sound}, which was never a good sign.",
    "On the morning it began, {place} smelled of {smell} and {smell}.",
    "The letter about {thread} arrived on a wet afternoon, tucked inside a crate that smelled of {smell}.",
    "Every child in Northwind is told the story of {thread}, and every child is told it differently.",
    "{P} had promised {C} never to go back to {place}. The promise lasted until {time}.",
    "It was the third {season} since {thread}, and the town had nearly learned to stop talking about it.",
)
MIDDLES = (
    "{C} was waiting at {place}, {gesture}.",
    "They walked the length of {place2} in silence, past {sight} and {sight}.",
    "{A} had a way of arriving just when a conversation was getting honest.",
    '"I know what you took from {place2}," {A} said quietly, and {P} felt the floor tilt.',
    "{P} counted the {count_thing} twice, then a third time, and still came up one short.",
    "By noon the rumour had reached the Drowned Bell, and by one o'clock it had grown into {growth}.",
    "{C} laughed, but it was the kind of laugh that {laugh_desc}.",
    "The ledger said {n_word} {count_thing}; the quay said otherwise.",
    "The {weather} pressed against the windows of {place} like something that wanted to be let in.",
    '"Tell me about {thread}," {P} said. "All of it, this time."',
    "{C} told it badly, with long pauses, the way people do when the truth has been kept somewhere damp for years.",
    "{P} thought of {memory}, and then made a point of thinking about something else.",
    "At {place2} the tide had left behind {debris}.",
    "{A} offered a hand, and {P} did not take it.",
    "The lamp at Gull Point turned once, twice, and on the third turn it showed them {revelation}.",
    '"{question}" {C} asked.',
    "Nobody spoke. Out on the water, {sound} went on and on.",
    "It took them half the night to find {obj}, wedged behind {hiding_place}.",
    "{A} had already been there; the {evidence} gave it away.",
    '{C} pressed {obj} into {P}\'s hands and said only, "{short_quote}"',
    "The wind shifted, and with it came the smell of {smell}.",
    "For a long moment the only sound was {sound}.",
    "{P} wrote it all down in the back of the logbook, in the small, careful hand of a {P_role}.",
    "Later, {P} would say that this was the moment it all made sense. It was not, quite.",
    "Down on {place2}, somebody had chalked a single word on the harbour wall, and by morning it was gone.",
    "{A} smiled at {C} the way a gull smiles at a dropped pie.",
    "The stove in {place} had gone out hours ago, and nobody had the heart to light it.",
    "{P} held {obj} up to the light and saw, for the first time, that it had been mended.",
    "{C} had brought tea in a chipped enamel can, and they drank it standing up.",
    "Two boys were fishing off {place2} with bent pins and enormous patience.",
    "{P} tried the door of {place}. It was locked, which it never was.",
    "The harbour cat followed them as far as the Cobble Stair and then, wisely, went home.",
    "Someone had left a lamp burning in {place2}, though nobody admitted to being there.",
    "{A} talked about money the way other people talk about weather: constantly, and as if it were nobody's fault.",
    "{P} knew the sound of every boat in the harbour, and this one was not from Northwind.",
    "{C} drew a map on the back of a tide table, badly, and then drew it again.",
    "The gulls went quiet all at once, which in Northwind means the weather is about to change its mind.",
    "Halfway up the Cobble Stair, {P} stopped to listen and heard {sound}.",
    "{A} kept a ledger of favours, and everyone in Northwind was in it somewhere.",
    "There was salt on every window of {place}, and someone had written a name in it with a finger.",
    "{C} did not answer. That was an answer of its own.",
    "By the time they reached {place2} the light had gone the colour of weak tea.",
)
CLOSINGS = (
    "In the end it was {C} who said it out loud: {thread} had never been about {obj} at all.",
    "When the {weather} lifted, {place} looked exactly as it always had, which felt like a kind of lie.",
    "{A} left on the mainland boat the next morning, and nobody went down to the slip to watch.",
    "{P} lit the lamp that night at the usual hour, and for once it felt like a promise rather than a duty.",
    "The town talked about it for a week, then for a day, and then, as Northwind does, not at all.",
    'Years later, {C} still kept {obj} on a shelf by the door, and never said why.',
    '"Same time tomorrow?" {C} asked. {P} nodded, and the tide went out.',
    "Down at the Drowned Bell they tell it differently now, but they always get the ending wrong.",
    "The bell under the water rang once, very softly, and then was quiet for good.",
    "{P} walked home the long way, along {place2}, and let the rain do the thinking.",
)
SPEECH_TAGS = ('"{said}" {who} said.', '"{line}"', '{who} leaned closer. "{line}"', '"{said}" {who} muttered.',
               '"{said}" {who} said, to nobody in particular.')
STORY_WORDS = (300, 900)


class _Slots(dict):
    """format_map() mapping: story-wide slots are fixed, any other slot is drawn afresh."""

    def __init__(self, fixed: dict[str, str], r: random.Random):
        super().__init__(fixed)
        self.r = r

    def __missing__(self, key: str) -> str:
        return self.r.choice(STORY_VOCAB.get(key) or DIALOGUE_VOCAB[key])


def _capitalise(sentence: str) -> str:
    i = 1 if sentence.startswith('"') else 0
    return sentence[:i] + sentence[i].upper() + sentence[i + 1:]


def _speech(r: random.Random, slots: _Slots) -> str:
    who = r.choice((slots["P"], slots["C"], slots["A"]))
    you = r.choice([n for n in (slots["P"], slots["C"]) if n != who] or [slots["A"]])
    them = r.choice([c.first_name for c in CAST if c.first_name not in (who, you)])
    line = r.choice(CORE).format_map(_Slots({**slots, "you": you, "Them": them}, r))
    said = line[:-1] + "," if line.endswith(".") else line  # "... here," Ada said.
    return _capitalise(r.choice(SPEECH_TAGS).format(line=line, said=said, who=who))


def write_story(r: random.Random, taken_titles: set[str] | None = None) -> str:
    """One short story: a title line, a blank line, then paragraphs (300-900 words in all)."""
    p, c, a = r.sample(CAST, 3)
    place, place2 = r.sample(PLACES, 2)
    slots = _Slots({"P": p.first_name, "C": c.first_name, "A": a.first_name, "P_role": p.role,
                    "place": place, "place2": place2, "thread": r.choice(THREADS),
                    "obj": r.choice(OBJECTS), "weather": r.choice(STORY_WEATHER),
                    "season": r.choice(STORY_SEASONS)}, r)
    taken = set() if taken_titles is None else taken_titles
    for _ in range(20):  # re-roll a title another story already has
        title = r.choice(STORY_TITLES).format(
            Thing=r.choice(THINGS).capitalize(), Adj=r.choice(ADJ).capitalize(), P=p.first_name,
            Weather=slots["weather"].title(), Place=r.choice(TITLE_PLACES).replace("the ", "The "))
        if title not in taken:
            break
    taken.add(title)
    middles = list(MIDDLES)
    r.shuffle(middles)

    def sentence(pool: tuple[str, ...] | list[str]) -> str:
        return _capitalise(r.choice(pool).format_map(slots))

    opening = " ".join([sentence(OPENINGS), sentence(OPENINGS[3:]) if r.random() < 0.5 else _speech(r, slots)])
    closing = " ".join(sentence(CLOSINGS) for _ in range(r.randint(1, 2)))
    paragraphs = [opening]
    words = len(title.split()) + len(opening.split()) + len(closing.split())
    target = r.randint(STORY_WORDS[0] + 60, STORY_WORDS[1] - 160)
    while words < target:
        para = []
        for _ in range(r.randint(3, 6)):
            if r.random() < 0.35:
                para.append(_speech(r, slots))
            else:
                if not middles:
                    middles = list(MIDDLES)
                    r.shuffle(middles)
                para.append(_capitalise(middles.pop().format_map(slots)))
        text = " ".join(para)
        if words + len(text.split()) > STORY_WORDS[1] - 20:
            break
        paragraphs.append(text)
        words += len(text.split())
    paragraphs.append(closing)
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_stories(directory: Path, *, count: int, seed: int) -> list[Path]:
    """Write `count` stories as `NN-title-slug.txt` (NN keeps asset names unique)."""
    paths, titles = [], set()
    for i in range(count):
        text = write_story(random.Random(f"northwind-story-{seed}-{i}"), titles)
        path = directory / f"{i + 1:02d}-{slugify(text.split(chr(10), 1)[0])}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
