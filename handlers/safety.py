"""Rule-based crisis detection for English and Cantonese/Traditional Chinese chat messages."""

from __future__ import annotations

import re
import re._parser as _sre_parser  # the standard library's own regex parser (sre_parse before 3.11)
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from enum import StrEnum
from re import _constants as _sre

__all__ = ["CrisisKind", "CrisisResult", "detect_crisis"]


class CrisisKind(StrEnum):
    SUICIDE = "suicide"
    SELF_HARM = "self_harm"
    OVERDOSE = "overdose"
    MEDICAL = "medical"
    VIOLENCE = "violence"


@dataclass(frozen=True, slots=True)
class CrisisResult:
    is_crisis: bool
    kind: CrisisKind | None = None

    def __post_init__(self) -> None:
        if self.is_crisis != (self.kind is not None):
            raise ValueError("kind must be set exactly when is_crisis is true")


_NOT_CRISIS = CrisisResult(False, None)

# When one message matches several kinds, report the one needing the fastest response:
# an ingested overdose needs an ambulance even if the message also voices suicidal intent.
_PRIORITY = (
    CrisisKind.OVERDOSE,
    CrisisKind.SUICIDE,
    CrisisKind.SELF_HARM,
    CrisisKind.VIOLENCE,
    CrisisKind.MEDICAL,
)

# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_CHAR_MAP: dict[int, str | None] = {}
for _ch in "\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4\uff07":
    _CHAR_MAP[ord(_ch)] = "'"
for _ch in "\u201c\u201d\u201e\u201f\u2033\uff02":
    _CHAR_MAP[ord(_ch)] = '"'
for _ch in "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f":
    _CHAR_MAP[ord(_ch)] = None
# Patterns are written in Traditional characters; a small Simplified map lets mainland
# input (and phone keyboards that default to Simplified) hit the same rules.
_S2T = (
    "杀殺药藥过過结結楼樓烧燒伤傷残殘脉脈会會说說话話头頭这這个個为為还還从從经經时時后後"
    "发發癫癲痫癇难難脏臟颈頸轻輕寻尋吓嚇胁脅枪槍闷悶热熱饿餓气氣晕暈吗嗎们們边邊觉覺样樣"
    "种種对對见見无無继繼续續动動妈媽医醫坠墜绳繩斩斬遗遺书書别別离離尽盡灭滅车車针針划劃"
    "烫燙墙牆绞絞痉痙挛攣呕嘔蓝藍帮幫报報殴毆骚騷扰擾给給与與么麼够夠让讓疯瘋烦煩虑慮"
    "独獨绝絕撑撐弃棄着著几幾颗顆应應该該记記连連长長实實毕畢厌厭压壓颤顫"
)
for _i in range(0, len(_S2T), 2):
    _CHAR_MAP[ord(_S2T[_i])] = _S2T[_i + 1]
# Third-person pronouns and negators collapse to the Cantonese forms the rules use.
for _src, _dst in (("他", "佢"), ("她", "佢"), ("牠", "佢"), ("沒", "冇"), ("妳", "你")):
    _CHAR_MAP[ord(_src)] = _dst
_CHAR_MAP = str.maketrans(_CHAR_MAP)

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACE_RE = re.compile(r"\s+")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")
_LATIN_RE = re.compile(r"[a-z]")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Code-switched messages ("我好想kill myself") need a word boundary between scripts.
_SCRIPT_JOIN_RE = re.compile(rf"(?<=[{_CJK}])(?=[a-z0-9])|(?<=[a-z0-9])(?=[{_CJK}])")
_SPELLED_RE = re.compile(r"\b[a-z](?: [a-z]\b){2,}")

def needs(pattern: str) -> frozenset[str] | None:
    """Strings at least one of which every match of `pattern` contains, or None if none can be named.

    Only characters a match must consume are named (literal runs, through groups, alternations and
    repeats of at least one), so a text that contains none of them cannot match: a plain substring
    test then skips the regex, which has to try every position of a long message. Most rules begin
    with a word boundary or a look-behind, which keeps the regex engine from skipping ahead itself.
    """
    parsed = _sre_parser.parse(pattern)
    return None if parsed.state.flags & re.IGNORECASE else _needs_in(parsed.data)


def _needs_in(items) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or (min(map(len, found)), -len(found)) > (min(map(len, best)), -len(best))):
            best = found

    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:  # anything else ends a literal run (conservatively, zero-width assertions too)
            consider(frozenset(["".join(run)]))
            run = []
        if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            consider(_needs_in(av[3].data))
        elif op is _sre.BRANCH:
            branches = [_needs_in(branch.data) for branch in av[1]]
            if all(branches):  # every way through must name something
                consider(frozenset().union(*branches))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_needs_in(av[2].data))
        elif op is _sre.ATOMIC_GROUP:
            consider(_needs_in(av.data))
    if run:
        consider(frozenset(["".join(run)]))
    return best


def _can_match(need: frozenset[str] | None, text: str) -> bool:
    return need is None or any(word in text for word in need)


_EN_REWRITES: tuple[tuple[re.Pattern[str], str, frozenset[str] | None], ...] = tuple(
    (re.compile(p), r, needs(p))
    for p, r in (
        # "od'd" must be rewritten before the generic 'd contraction eats it.
        (r"\bo\.?d\.?(?:'|-)?(?:d|ed)\b", "overdosed"),
        (r"\bo\.?d\.?(?:'|-)?ing\b", "overdosing"),
        (r"\bod\b", "overdose"),
        (r"\bcan'?t\b|\bcannot\b", "can not"),
        (r"\bwon'?t\b", "will not"),
        (r"\bain'?t\b", "am not"),
        (
            r"\b(do|does|did|is|are|was|were|would|could|should|has|have|had|must|need|might)n'?t\b",
            r"\1 not",
        ),
        (r"\bi'?m\b", "i am"),
        (r"\bi'?ve\b", "i have"),
        (r"\bi'd\b", "i would"),
        (r"\bi'll\b", "i will"),
        (
            r"\b(he|she|it|that|there|what|who|everyone|everybody|someone|somebody|nobody)'s\b",
            r"\1 is",
        ),
        (r"\b(he|she|that|there|what)s\b", r"\1 is"),
        # "my brother's threatening", "bf's not breathing": possessive-looking 's before a verb form.
        (
            r"\b(\w+)'s (?=(?:going|gone|been|not|just|about|always|still|never|outside|got|coming|"
            r"turning|trying|threatening|saying|getting|being|having|making|hitting|beating|choking|"
            r"breathing|waking|bleeding|shaking|fitting|seizing|following|stalking|chasing|blue|"
            r"unconscious|unresponsive|passed|collapsed|overdosing|dying|lying|screaming|banging|"
            r"barely|hardly|really|so|turned|went|nodding|snoring|gasping|gurgling)\b)",
            r"\1 is ",
        ),
        (r"\b(you|we|they)'?re\b", r"\1 are"),
        (r"\b(he|she|they|you|we)'ll\b", r"\1 will"),
        (r"\b(he|she|they|you|we)'d\b", r"\1 would"),
        (r"\b(you|we|they|would|could|should|must)'ve\b", r"\1 have"),
        (r"\bwanna\b", "want to"),
        (r"\bgonna\b", "going to"),
        (r"\bgotta\b", "got to"),
        (r"\btryna\b", "trying to"),
        (r"\bkms\b", "kill myself"),
        (r"\b(?:off|top|end)(?:ing)? myself\b", "kill myself"),
        (r"\b(want|wanna|going|need|ready|wish|plan|have) 2\b", r"\1 to"),
        (r"\bsewer ?slide\b|\bsu[i1]c[i1]de\b|\bsuicide\b", "suicide"),
        (r"\bfent(?:a|anyl)?\b", "fentanyl"),
        (r"\bunalive\b", "kill"),
        (r"\brn\b", "right now"),
        (r"\b(?:tonite|2nite|2night|tn)\b", "tonight"),
        (r"\bu\b", "you"),
        (r"\bmy self\b", "myself"),
        (r"\bk[i1!*]ll\b", "kill"),
    )
)


def _normalise(text: str) -> str:
    text = text.translate(_CHAR_MAP)
    text = unicodedata.normalize("NFKC", text)
    # NFKC can reintroduce characters the map handles (e.g. fullwidth quotes).
    text = text.translate(_CHAR_MAP).lower()
    text = _CONTROL_RE.sub(" ", text)
    text = _REPEAT_RE.sub(r"\1\1", text)
    if _LATIN_RE.search(text):
        text = _SCRIPT_JOIN_RE.sub(" ", text)
        text = _SPELLED_RE.sub(lambda m: m.group().replace(" ", ""), text)
        for pattern, repl, need in _EN_REWRITES:
            if _can_match(need, text):
                text = pattern.sub(repl, text)
    return _SPACE_RE.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# Context: negation, past tense, media, drug use
# ---------------------------------------------------------------------------

_CLAUSE_CUT_RE = re.compile(r".*(?:[,.;:!?、。；：…]|\bbut\b|\band\b|但係|不過)", re.S)

# A negator followed only by "filler" words right up to the trigger; "stop", "know",
# "sure" etc. break the chain so "can't stop thinking about killing myself" still fires.
_EN_NEG_RE = re.compile(
    r"\b(?:not|never|no)(?: (?:want|wanted|wanting|to|going|plan|planning|plans|planned|intend|"
    r"intending|intention|intentions|ever|even|really|actually|any|thoughts?|thought|thinking|"
    r"urges?|desire|wish|of|about|on|be|been|have|had|feel|feeling|felt|longer|more|again|"
    r"considering|considered|tried|trying|at|all|seriously|will|would|do|did|anything|"
    r"something|a|the|let|myself|am|was|done|currently))*\s*$"
)
_ZH_NEG_RE = re.compile(
    r"(?:唔|冇|無|不|未|咪|別|莫|從未)(?:都|會|想|係|再|曾|有|打算|計劃|諗過|想過|諗|試過|"
    r"可能|應該|要|敢|需要|去|夠膽|經已|已經)*\s*$"
)

_SENTENCE_RE = re.compile(r"[.!?;。！？；]+")
_PHASE_RESET_RE = re.compile(
    r"[.!?;。！？；]+|\b(?:but|however|now|today|tonight|these days|lately|currently|"
    r"at the moment|this (?:morning|afternoon|evening|week|weekend)|yesterday|last night|"
    r"just now|right now)\b|但係|但|不過|可是|可惜|而家|依家|宜家|現在|今晚|今日|今朝|頭先|"
    r"啱啱|最近|尋日|琴日|昨晚|尋晚|琴晚|仲係|仍然"
)
# Distant past on its own is enough to treat a trigger as history.
_PAST_STRONG_RE = re.compile(
    r"\b(?:\w+ )?(?:years?|yrs?|months?|decades?) (?:ago|back)\b|\bused to\b|"
    r"\bwhen i was (?:using|drinking|younger|young|a kid|a child|a teen|a teenager|in (?:active )?"
    r"addiction|in my addiction|high|on drugs|still using|still drinking|at my worst|at rock bottom|"
    r"in (?:rehab|prison|jail|hospital|school|uni|college)|\d+)\b|\bback (?:then|when|in)\b|"
    r"\bin the past\b|\blast year\b|\bin my (?:active )?(?:addiction|using days|drinking days|"
    r"teens|twenties|thirties|old life)\b|\bbefore (?:i got|getting) (?:clean|sober|help)\b|"
    r"\bas a (?:kid|child|teen|teenager)\b|\bin 19\d\d\b|"
    r"以前|以往|從前|年前|個月前|幾年前|當年|舊年|上年|去年|細個|讀書(?:嗰陣|時)|未戒|戒(?:毒|酒)之前|過去"
)
# Ambiguous recency; only treated as history when the message also signals recovery.
_PAST_WEAK_RE = re.compile(
    r"\b(?:before|once|previously|weeks? ago|last (?:week|month)|a while (?:ago|back)|"
    r"at one point|at my lowest|in 20\d\d)\b|之前|曾經|試過|上個月|上星期|上個禮拜|嗰陣|嗰時|當時"
)
_RECOVERY_RE = re.compile(
    r"\b(?:better|clean|sober|recovery|recovered|doing well|grateful|thankful|"
    r"glad|since then|why i am here|why i am in|survived|not anymore|no longer|never again|proud|"
    r"healing)\b|\b(?:i am|doing|feel|feeling|i feel) (?:ok|okay|fine|good|well|safe)\b|"
    r"\bhave not (?:\w+ )?(?:since|in (?:years|months|\d+|a long|ages))\b|"
    r"好咗|好返|好番|康復|戒咗|戒左|冇再|無再|已經冇|唔再|穩定|感恩|所以嚟|而家(?:冇事|ok|穩定)"
)
# Urges returning in the present override a past-tense mention ("used to cut, want to again").
_REVIVAL_RE = re.compile(
    r"\b(?:want|wanting|urges?|tempted|going|thinking about|thinking of|feel like|plan|planning|"
    r"need)\b(?: to)?(?: (?:do|doing|try|trying|cut|cutting|hurt|hurting|harm|harming|burn|"
    r"burning|it|that|myself|die|dying|end|ending|so|really|badly|bad|all)){0,4} again\b|"
    r"\b(?:thoughts?|urges?|feelings?|it|they)\b (?:is|are|has|have)(?: been)? (?:all )?"
    r"(?:coming )?back\b|"
    r"又(?:想|開始|再|有|諗|𠝹|鎅)|再次(?:想|有)|好想再|想再(?:𠝹|鎅|割|自殘|死|試)|"
    r"(?:念頭|衝動)(?:又)?(?:返|翻)(?:咗|晒)?(?:嚟|來)"
)
_REVIVAL_NEG_RE = re.compile(r"\b(?:not|never|no)(?: \w+){0,2} $|(?:唔|冇|不)$")
_TOPIC_RES: tuple[tuple[CrisisKind, re.Pattern[str]], ...] = (
    (
        CrisisKind.SUICIDE,
        re.compile(
            r"suicid|kill(?:ing|ed)? myself|end(?:ing|ed)? (?:it all|my life)|want(?:ed)? to die|"
            r"想死|自殺|輕生|了結|一了百了"
        ),
    ),
    (
        CrisisKind.SELF_HARM,
        re.compile(
            r"\bcut(?:ting)?\b(?! (?:back|down|out|off|ties|corners))|self[- ]?harm|"
            r"(?:hurt|harm|burn)(?:ing|ed|t)? myself|𠝹|鎅|自殘|傷害自己"
        ),
    ),
)

_MEDIA_RE = re.compile(
    r"\b(?:movie|film|documentary|show|series|episode|book|novel|article|news|podcast|video|"
    r"song|training|workshop|class|course|lecture|talk|talked|discussion|discussed|discussing|"
    r"prevention|awareness|statistics|stats|research|study|leaflet|poster|seminar|"
    r"talking about|learned about|learning about|read about|reading about|heard about)\b|"
    r"講座|新聞|電影|套戲|劇集|(?<!遺)書|文章|課程|小組|分享會|討論|講解|宣傳|關注|防止|預防|熱線|訓練|"
    r"工作坊|報道|報導"
)
_DRUG_CONTEXT_RE = re.compile(
    r"\b(?:after|since) (?:using|taking|shooting|smoking|drinking|snorting|injecting|he used|"
    r"she used|they used|he took|she took|they took)\b|\b(?:shot up|shooting up|overdos\w*|heroin|"
    r"fentanyl|opioids?|opiates?|oxy\w*|xanax|benzos?|methadone|morphine|pills|tablets|downers|"
    r"ghb|gbl|ketamine|ket|meth|crystal|ice|crack|coke|cocaine|drugs|dope|gear|"
    r"high(?! (?:blood|pressure|school|street|court|fever|temperature|up|five))|wasted|"
    r"drunk|smack|needle|mdma|molly|ecstasy|pingers|lean|codeine|tramadol|valium|meds|"
    r"suboxone|sleeping pills|painkillers|snorted|injected|popped|shooting up|"
    r"(?:took|taking|take|did|doing|on|some|bumps? of|a bump of|line of|lines of|sniffed|dropped) "
    r"(?:k|g|ice)|(?:k|g) (?:and|with|plus) (?:alcohol|booze|drinks?|vodka)|(?:been|was|were|is|are|"
    r"started|keeps?|kept) using|using (?:all (?:night|day|weekend)|again|together|tonight|alone))\b|"
    r"藥|毒|白粉|冰|k ?仔|g ?水|五仔|藍精靈|咳水|可待因|海洛英|芬太尼|美沙酮|啪|索|打(?:咗|左|完|過)?針|注射|飲(?:咗|左)?(?:好多)?酒|"
    r"飲醉|飲大咗|溝酒|撈酒"
)
# Seizures, shaking and hallucinations during withdrawal are medical, not an overdose.
_WITHDRAWAL_RE = re.compile(
    r"\b(?:withdrawal|withdrawals|withdrawing|detox\w*|stopped (?:drinking|using)|quit (?:drinking|"
    r"using)|off the (?:booze|drink|alcohol|grog)|coming off|since (?:i|he|she|they) (?:stopped|quit)|"
    r"days? (?:sober|dry|off (?:the )?(?:booze|drink|alcohol)|without (?:a )?(?:drink|booze|alcohol)))\b|"
    r"戒(?:酒|毒|斷)|停(?:咗|左)(?:飲|食)|冇(?:酒)?飲|斷癮|冇酒飲|冇得飲"
)

_ACCIDENT_RE = re.compile(
    r"\baccident(?:al|ally)?\b|\bby mistake\b|\b(?:shaving|cooking|chopping|slicing|ironing|"
    r"gardening|at the gym|lifting|working out|playing (?:football|basketball|soccer|rugby)|"
    r"fell (?:off|down|over)|slipped|tripped|"
    r"stove|oven|kettle|pan|iron|kitchen|knife while|paper cut|onions?|football|basketball|"
    r"soccer|exercise)\b|切菜|煮飯|煮嘢|整嘢食|唔小心|唔覺意|意外|刮鬍|剃鬚|執嘢|跌親|跌倒|做運動"
)
_MESSAGE_REPLY_RE = re.compile(
    r"訊息|短訊|\b(?:message|msg|whatsapp|wts|send|ig|signal|text)\b|電話|覆|回覆|留言|朝早|返工|返學|"
    r"鬧鐘|起身"
)


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: CrisisKind
    pattern: re.Pattern[str]
    negatable: bool = True
    pastable: bool = True
    media_sensitive: bool = False
    # Loss of consciousness after drug use is an overdose, not a generic medical event.
    escalate_with_drugs: bool = False
    pre_exclude: re.Pattern[str] | None = None
    post_exclude: re.Pattern[str] | None = None
    sentence_exclude: re.Pattern[str] | None = None
    # Co-occurrence: the rule only fires when this also occurs somewhere in the message
    # (e.g. a racing heart only counts when drugs were used).
    requires: re.Pattern[str] | None = None
    # Which scripts a match needs: "en" rules are skipped for messages without Latin letters and
    # "zh" rules for messages without CJK, which roughly halves the work per message.
    script: str = "any"
    need: frozenset[str] | None = None  # see needs(): a text with none of these cannot match


_CJK_CHAR_RE = re.compile(f"[{_CJK}]")
_ESCAPES_RE = re.compile(r"\\[a-zA-Z]|\(\?[:=!<]|\(\?<[=!]")


def _script_of(pattern: str) -> str:
    if not _CJK_CHAR_RE.search(pattern):
        return "en"
    # A CJK pattern is "zh" unless it also spells out English words (code-mixing rules).
    return "any" if re.search(r"[a-z]{3,}", _ESCAPES_RE.sub("", pattern)) else "zh"


def _r(kind: CrisisKind, pattern: str, **kw: object) -> _Rule:
    for key in ("pre_exclude", "post_exclude", "sentence_exclude", "requires"):
        if isinstance(kw.get(key), str):
            kw[key] = re.compile(kw[key])  # type: ignore[arg-type]
    kw.setdefault("script", _script_of(pattern))
    return _Rule(kind, re.compile(pattern), need=needs(pattern), **kw)  # type: ignore[arg-type]


_SUI, _HARM, _OD, _MED, _VIO = (
    CrisisKind.SUICIDE,
    CrisisKind.SELF_HARM,
    CrisisKind.OVERDOSE,
    CrisisKind.MEDICAL,
    CrisisKind.VIOLENCE,
)

_THIRD = (
    r"(?:he|she|they|him|her|them|my (?:\w+ )?(?:friend|mate|partner|boyfriend|girlfriend|bf|gf|"
    r"husband|wife|brother|sister|son|daughter|dad|father|mum|mom|mother|roommate|flatmate|"
    r"housemate|cousin|uncle|aunt|neighbou?r|ex)|(?:a |this |the |our )?(?:friend|guy|girl|man|"
    r"woman|person|someone|somebody|buddy|mate))"
)
_AGENT = (
    r"(?:he|she|they|someone|somebody|people|a (?:guy|man|woman|gang)|this (?:guy|man|woman)|"
    r"the (?:guy|man|woman|dealer|landlord|neighbou?r)|my (?:partner|husband|wife|boyfriend|"
    r"girlfriend|bf|gf|ex|ex-\w+|dad|father|mum|mom|mother|stepdad|stepfather|stepmom|brother|"
    r"sister|son|daughter|uncle|dealer|landlord|flatmate|roommate|neighbou?r|family|pimp))"
)
_VICTIM = (
    r"(?:me|us|my (?:kids|children|son|daughter|family|baby|mum|mom|mother|sister|brother|wife|"
    r"husband|partner|girlfriend|boyfriend|friend|grandma|grandmother|dog|cat))"
)
_HARM_VERB = (
    r"(?:kill|hurt|stab|shoot|beat(?! (?:me|us) (?:at|in|to)\b)|attack|rape|strangle|choke|murder|"
    r"hit|cut|burn)"
)
_PERSON_OBJ = (
    r"(?:him|her|them|someone|somebody|everyone|everybody|people|that (?:guy|man|woman|"
    r"bitch|bastard|prick|asshole|dealer)|the (?:guy|dealer|landlord|man|woman)|my (?:partner|husband|wife|"
    r"boyfriend|girlfriend|ex|dad|father|mum|mom|mother|stepdad|brother|sister|son|daughter|"
    r"boss|dealer|landlord|neighbou?r|flatmate|roommate|sponsor|friend|family))"
)
_PILLS = (
    r"(?:pills|tablets|meds|medication|medicine|capsules|caps|xanax|valium|panadol|tylenol|"
    r"paracetamol|oxys?|oxycodone|benzos|sleeping pills|painkillers|\w+ pills|"
    r"seroquel|quetiapine|zoloft|sertraline|prozac|fluoxetine|lexapro|escitalopram|olanzapine|risperidone|lorazepam|clonazepam|alprazolam|diazepam|temazepam|mirtazapine|gabapentin|pregabalin|lyrica|trazodone|amitriptyline|ibuprofen|aspirin|midazolam|dormicum|zopiclone|zolpidem|ambien|ativan|klonopin|lithium|insulin|codeine|tramadol|antidepressants|sleepers|\w+ (?:tablets|tabs))"
)
_MANY = (
    r"(?:like |about |around |maybe |over |almost |nearly |at least |probably )?"
    r"(?:too many|so many|way too many|(?:a lot|lots|loads|heaps|a bunch|a load) of "
    + _PILLS
    + r"|all (?:of )?(?:my|the|his|her) "
    + _PILLS
    + r"(?! (?:today|this morning|on time|like|as (?:prescribed|directed|told)|for (?:the|this|today)|"
    r"with (?:food|breakfast|lunch|dinner|water)|every|each|again|already)\b|[^.!?]{0,30}\b(?:proud|"
    r"doctor|prescribed|on time|routine|remember(?:ed)?|as usual)\b)"
    r"|an? (?:whole |full |entire )?(?:bottle|pack|"
    r"packet|box|strip|blister|jar|tub) of|(?:a )?handful of|(?:[6-9]|\d{2,}|ten|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|a dozen|dozens of) (?:of )?(?:my |his |her |the |their )?(?:\w+ )?" + _PILLS + r")"
)

_ZH_ZO = r"(?:咗|左|了)"
_ZH_INTENT = (
    r"(?:想|要|準備|打算|諗住|諗緊|計劃|決定|會|就|寧願|不如|真係想|好想|想去|要去|諗過|想過|"
    r"已經準備)"
)
_ZH_AGENT = (
    r"(?:佢哋|佢|有人|老公|老婆|男朋友|女朋友|男友|女友|前度|前夫|前妻|阿爸|爸爸|老豆|老竇|阿媽|"
    r"媽媽|老母|哥哥|家姐|細佬|細妹|個仔|個女|債主|大耳窿|鄰居|室友|伴侶|條友|嗰條友|個男人|"
    r"個女人|班人|啲人|黑社會|毒販|拆家|債仔|收數佬|收數|高利貸|古惑仔|醉漢|陌生人|嗰個人|一個男人|"
    r"一班人|繼父|後父|後母|家公|家婆|姐夫|妹夫|兒子|女兒)"
)
_ZH_WHEN = r"(?:今晚|今日|聽日|而家|一陣|遲啲|返屋企|星期[一二三四五六日])?"
_ZH_GAP = r"(?:(?!知道|發現|見到|聽到|知|唔|冇|無|不|未)[^,.!?;\s。！？；]){0,4}?"
_ZH_MANY = (
    r"(?:好多|很多|太多|成樽|成瓶|一整樽|一整瓶|成排|成盒|成包|一堆|成堆|幾十|成板|一板|成條|一大堆|"
    r"大把|成揸|一揸|一大把|一倍|兩倍|雙倍|三倍|幾倍|double|一樽|一瓶|一排|一盒|成支|"
    r"[一二兩三四五六七八九]?十[一二三四五六七八九]?|廿|卅|百|\d{2,})"
)

# Drugs where the amount alone makes it dangerous (depressants and medicines).
_DEPRESSANT = (
    r"(?:heroin|smack|fentanyl|opioids?|opiates?|oxy(?:codone|contin|s)?|methadone|morphine|"
    r"codeine|tramadol|bupe|suboxone|xanax|xannies|valium|benzos?|klonopin|clonazepam|ativan|"
    r"lorazepam|diazepam|zopiclone|zolpidem|ambien|seroquel|quetiapine|lithium|insulin|ghb|gbl|"
    r"zoloft|sertraline|prozac|fluoxetine|lexapro|escitalopram|olanzapine|risperidone|alprazolam|"
    r"temazepam|mirtazapine|gabapentin|pregabalin|lyrica|trazodone|amitriptyline|midazolam|dormicum|"
    r"g|lean|sleeping (?:pills|tablets)|painkillers|pills|tablets|meds|medication|medicine|"
    r"panadol|paracetamol|tylenol|antidepressants|sleepers|downers)"
)
_DRUG_EN = (
    r"(?:" + _DEPRESSANT[3:-1] + r"|ketamine|ket|k|meth|ice|crystal|tina|coke|cocaine|crack|mdma|"
    r"molly|ecstasy|pingers|dope|gear|drugs|gh?b)"
)
_ALCOHOL = r"(?:alcohol|booze|drinks?|drinking|vodka|whiske?y|beer|wine|soju|spirits|liquor|rum|gin)"
_INGEST = (
    r"(?:took|taken|take|taking|did|done|doing|had|used|using|smoked|smoking|snorted|snorting|"
    r"injected|injecting|shot|shooting|swallowed|popped|drank|necked|dropped|railed|slammed|"
    r"banged|downed)"
)
# A danger sign in the same message turns drug use into an overdose.
_DRUG_USE_RE = re.compile(
    r"\b(?:after|since) (?:using|taking|shooting|smoking|drinking|snorting|injecting|"
    r"(?:he|she|they|i|we) (?:used|took|smoked|snorted|injected|shot up|did))\b|\b"
    + _INGEST
    + r" (?:\w+ ){0,3}?"
    + _DRUG_EN
    + r"\b|\b(?:injected|shot up|snorted|smoked|popped|took) (?:something|some stuff|stuff|some|it|"
    r"what|whatever)\b|\b(?:high|wasted|off (?:his|her|my|their) (?:face|head)|overdos\w*|shot up|shooting up|"
    r"nodding off|gouching)\b|"
    r"(?:食|吞|服|啪|索|吸|打|溝|撈|飲)(?:咗|左|完|緊|過|晒)?(?:[^,.!?。！？]{0,4}?)(?:藥|丸|k|冰|g ?水|白粉|"
    r"海洛英|芬太尼|美沙酮|毒|嘢|針|酒)|打針|啪嘢|索嘢|吸毒|玩(?:k|冰|嘢)|high(?:咗|住|緊)"
)
_THIRD_ZH = r"(?:佢|" + _ZH_AGENT[3:-1] + r"|朋友|我朋友|個朋友|老友|同事|阿爸|阿媽|爸爸|媽媽|婆婆|公公)"
_EN_WISH = (
    r"(?:want|wants|wanted|wanting|wish|wishes|wishing|ready|need|needs|planning|plan|plans|planned|"
    r"decided|decides|deciding|trying|tries|tried|hoping|intend|intends|intending|would like)"
)
_QUESTION_TAIL = r"^[^,.!?。！？]{0,10}(?:會點|會唔會|得唔得|可唔可以|可以嗎|嗎|\?|？)"

_RULES: tuple[_Rule, ...] = (
    # ---------------- overdose ----------------
    _r(_OD, r"\boverdos(?:ed|ing)\b", media_sensitive=True),
    _r(
        _OD,
        r"\b(?:having|is having|am having|going into|this is|it is|think it is|might be|could be)"
        r" (?:an? )?overdose\b|\b(?:took|taken|has taken|have taken) an overdose\b",
    ),
    _r(
        _OD,
        r"\b(?:took|taken|take|swallowed|popped|downed|injected|snorted|used|did) " + _MANY,
        pre_exclude=r"\b(?:going to|want to|will|plan to|planning to|about to|thinking (?:about|of)|"
        r"ready to|might|should i|can i|if (?:i|you|he|she)|could|how|decided to)\b(?: \w+){0,2} $",
    ),
    _r(
        _OD,
        r"\b(?:took|taken|swallowed|popped|injected|snorted|used|did|shot up) (?:way |far |a bit )?"
        r"too much\b(?! (?:time|money|of (?:my|your|his|her) time|notice|on))",
    ),
    _r(
        _OD,
        r"(?<!\bi am )\b(?:not|stopped|barely|hardly) breathing\b|\bno (?:pulse|heartbeat)\b|"
        + _THIRD
        + r" (?:is |are |was |has |have )?(?:turning|going|gone|turned|went) (?:blue|purple|grey|gray)"
        r"\b(?! (?:with|from|in) (?:the )?(?:cold|rage|anger|envy)| in the face)|\b(?:lips|face|skin) (?:is |are )?(?:turning |going |gone |turned |went )?"
        r"(?:blue|purple)\b|\bblue lips\b|"
        + _THIRD
        + r" (?:is |are )?unresponsive\b|\b(?:can not|could not) (?:wake|rouse) "
        r"(?:him|her|them|my \w+)\b|\b(?:can not|could not) get (?:him|her|them|my \w+) "
        r"(?:to wake|to respond|to come round)\b|"
        r"\b(?:can not|could not|not sure|do not know) (?:tell )?(?:if|whether) "
        r"(?:he|she|they) (?:is|are) breathing\b",
    ),
    _r(
        _OD,
        r"(?:" + _THIRD + r"|\band|\bbut|\bstill) (?:will not|would not|does not|did not|is not) "
        r"(?:wake|waking)(?: up)?\b|(?:" + _THIRD + r"|\band|\bbut|\bstill) not waking(?: up)?\b(?! (?:early|on time|in time|before|until|till|for (?:work|school)))",
        sentence_exclude=r"\b(?:school|alarm|morning|work|lazy|early)\b",
    ),
    _r(
        _OD,
        r"\b(?:need|give|giving|gave|given|used|administer|administered|administering) "
        r"(?:him |her |them |some |the )?(?:naloxone|narcan)\b"
        r"(?! (?:training|course|kit|class|workshop))",
    ),
    _r(
        _OD,
        r"(?:食|吃|服|吞|啪|索|注射)"
        + _ZH_ZO
        + r"?"
        + _ZH_MANY
        + r"(?:粒|顆|片|樽|瓶|排|盒|包|劑|支)?"
        r"[^,.!?。！？]{0,4}?(?:藥|丸|安眠|止痛|k|白粉|冰|毒|五仔|藍精靈|咳水|g ?水|海洛英|芬太尼|美沙酮|"
        r"benzo|xanax)",
    ),
    _r(
        _OD,
        r"(?:食|吃|服|吞|用|吸|注射|啪|索)(?:藥|毒|粉|k|咗|左|了)?(?:過量|超量)|"
        r"(?:藥物|毒品)過量|食(?:多|錯|過多)(?:咗|左)(?:好多)?(?:粒|啲)?藥|(?:od|overdose) ?"
        + _ZH_ZO
        + r"|落(?:重|多)(?:咗|左)?藥",
        media_sensitive=True,
    ),
    _r(
        _OD,
        r"(?:冇|無)(?:咗|左|晒)?呼吸(?!困難|問題|唔到|急促)|停(?:咗|左)呼吸|唔識呼吸|唔係好呼吸|冇(?:咗)?脈搏|"
        r"(?:叫|拍|搖|喊)(?:極|佢|咗|左|完)*(?:都|也)?(?:唔醒|叫唔醒|冇反應|無反應|唔應|冇應)|叫唔醒|叫唔應|醒唔返|"
        r"(?:佢|" + _ZH_AGENT + r")(?:(?!痛)[^,.!?。！？]){0,8}?(?:唔識郁|郁唔到|冇反應|無反應|唔郁)|"
        r"(?:嘴唇|塊面|成個人|手指)(?:開始)?(?:變|發|都)?(?:藍|紫|黑)(?:咗|左)?",
        sentence_exclude=_MESSAGE_REPLY_RE,
    ),
    # --- broadened overdose: amount words, mixing, danger signs after use ---
    _r(
        _OD,
        r"\b" + _INGEST + r" (?:like |about |maybe |probably |around |at least |way |far )?(?:a lot|lots|"
        r"loads|heaps|tons|a ton|a bunch|a load|a shit ?load|so much|too much|way too much|a massive "
        r"amount|a huge amount|a fistful|a handful|an? (?:whole |full |entire )?(?:\w+ )?(?:bottle|strip|"
        r"pack|packet|box|sheet|blister|bag|jar|tub|sleeve)s?|(?:my|his|her|their|the) (?:whole|entire) "
        r"(?:\w+ )?(?:bottle|strip|pack|packet|box|sheet|blister|supply|prescription|stash)) (?:of )?"
        r"(?:my |the |his |her |their |all )?(?:\w+ )?" + _DEPRESSANT + r"\b",
        pre_exclude=r"\b(?:going to|want to|will|plan to|planning to|about to|thinking (?:about|of)|"
        r"ready to|might|should i|can i|if (?:i|you|he|she)|could|how)\b(?: \w+){0,2} $",
    ),
    _r(
        _OD,
        r"\b(?:doubled|tripled|double[- ]?dosed|(?:took|taken|had|did|used|injected|drank) (?:double|"
        r"twice|triple|three times|2x|3x)) (?:up )?(?:on )?(?:my |his |her |the |their )?(?:usual |normal |"
        r"prescribed |daily |regular )?(?:\w+ )?(?:dose|dosage|doses|amount|" + _DEPRESSANT[3:],
    ),
    _r(
        _OD,
        r"\b(?:mixed|mixing|combined|combining) (?:\w+ ){0,3}?" + _DEPRESSANT + r" (?:\w+ ){0,2}?(?:with|and|"
        r"plus|on top of|&) (?:\w+ ){0,2}?(?:" + _ALCOHOL[3:-1] + r"|" + _DRUG_EN[3:-1] + r")\b|"
        r"\b(?:mixed|mixing|combined|combining) (?:\w+ ){0,3}?(?:" + _ALCOHOL[3:-1] + r"|" + _DRUG_EN[3:-1]
        + r") (?:\w+ ){0,2}?(?:with|and|plus|on top of|&) (?:\w+ ){0,2}?" + _DEPRESSANT + r"\b|"
        r"\b(?:took|taken|had|popped|drank|did) (?:\w+ ){0,2}?" + _DEPRESSANT + r" on top of (?:\w+ ){0,2}?"
        r"(?:" + _ALCOHOL[3:-1] + r"|" + _DRUG_EN[3:-1] + r")\b",
        pre_exclude=r"\b(?:if|safe|ok|okay|can (?:i|you)|should|whether|dangers? of|never|avoid|"
        r"how|about|what happens)\b[^.!?]{0,20}$",
        post_exclude=r"^[^.!?]{0,25}\?",
    ),
    _r(
        _OD,
        r"\b(?:snoring|gurgling|rattling|gasping)\b(?: \w+){0,2}? (?:weird|weirdly|strange|strangely|"
        r"funny|loud|loudly|deep|wrong)\b|\b(?:weird|strange|funny|horrible|deep|loud|rattly) (?:snoring|"
        r"gurgling|rattling|breathing)\b|\bmaking (?:weird|strange|funny|gurgling|snoring|choking|"
        r"horrible) (?:noises|sounds)\b|\bheart (?:is )?(?:racing|pounding|beating (?:so |really |"
        r"too |super |very )?(?:fast|hard)|going (?:crazy|mental|nuts|wild|like crazy)|about to "
        r"(?:explode|burst)|feels like it is (?:going to )?(?:explode|burst))\b|\b(?:can not|could not) "
        r"feel my (?:arms|legs|hands|face|body)\b|\b(?:everything|the room) is spinning\b|"
        r"\b(?:his|her|their) (?:eyes|pupils) (?:are |have )?(?:rolled|rolling|pinned|pinpoint)\b|"
        r"\bnodding (?:out|off) and (?:will not|can not|could not|would not)\b",
        requires=_DRUG_USE_RE,
    ),
    _r(
        _OD,
        r"(?:食|服|吞|飲|打|啪|索|吸|用)(?:多|重|過多|雙倍|兩倍|double)(?:咗|左)[^,.!?。！？]{0,8}?"
        r"(?:藥|丸|美沙酮|安眠|止痛|k|冰|白粉|海洛英|芬太尼|毒|g ?水|針)|(?:藥|丸|美沙酮|k|冰|白粉|g ?水)"
        r"[^,.!?。！？]{0,4}?(?:食|打|飲|啪|索)(?:多|過多|雙倍|重)(?:咗|左)",
        media_sensitive=True,
    ),
    _r(
        _OD,
        r"(?:藥|丸|k|冰|g ?水|白粉|美沙酮|benzo|xanax|止痛|安眠)[^,.!?。！？]{0,10}?(?:再|仲|又|之後|後|撈|溝|"
        r"加|送|夾|同埋)(?:埋)?(?:飲|撈|溝)?(?:咗|左|埋|晒)?(?:好多|成支|幾罐|成樽)?(?:酒|啤酒|紅酒|烈酒|"
        r"威士忌|伏特加|酒精)|飲(?:咗|左|完)[^,.!?。！？]{0,6}?酒[^,.!?。！？]{0,4}?(?:再|又|仲|之後|後)"
        r"(?:食|吞|啪|索)(?:咗|左)?[^,.!?。！？]{0,6}?(?:藥|丸|k|冰|g ?水)",
        requires=r"咗|左|完|頭先|啱啱|而家|琴晚|尋晚|成晚",
        post_exclude=_QUESTION_TAIL,
        media_sensitive=True,
    ),
    _r(
        _OD,
        r"(?:食|吞|服)(?:晒|哂|埋)(?:咗|左)?(?:啲|所有|全部|成樽|成排|成板|成盒)?[^,.!?。！？]{0,3}?"
        r"(?:安眠藥|瞓覺藥|止痛藥|血壓藥|精神科藥|抗抑鬱藥|鎮靜劑|benzo|xanax|藥丸)",
        pre_exclude=r"(?:想|要|準備|打算|諗住|今晚|聽日|一陣|等陣|就|會|唔好)[^,.!?。！？]{0,4}$",
    ),
    _r(
        _OD,
        r"(?:成個人|全身|成身|佢)(?:已經|好似)?(?:軟晒|軟咗|軟攤攤|冇晒反應|郁都唔郁|一嘟都唔嘟)|眼反白|"
        r"反(?:晒)?白眼|心跳(?:得)?(?:好|勁|超|非常|好似)?(?:快|犀利|急|亂)|心(?:好|勁)?跳(?:得)?(?:好|勁)"
        r"(?:快|犀利)|心跳到爆",
        requires=_DRUG_USE_RE,
        sentence_exclude=r"緊張|驚|興奮|見工|考試|面試|開心|運動|跑步",
    ),
    # ---------------- suicide ----------------
    _r(
        _SUI,
        r"\bkill(?:ing)? ?myself\b|\btake my (?:own )?life\b|\bend(?:ing)? my (?:own )?life\b",
        # "killing myself at the gym" is the effort idiom, not intent.
        post_exclude=r"^ (?:at (?:the gym|work|the office)|working|studying|training|to (?:finish|get|"
        r"make|meet|pay|keep up)|(?:with|over) (?:all )?(?:this |these |the |my |so much )?(?:work|"
        r"overtime|ot|study|studying|training|exercise|shifts?|hours|deadlines?|projects?|job|"
        r"assignments?|homework|gym))\b",
    ),
    _r(
        _SUI,
        r"\b(?:(?:to|will|i|just|should|might|finally|then|would|and|gonna) end|ending) "
        r"(?:it all|everything|things|it)\b(?! (?:all )?(?:with|between|off with)\b)",
        pre_exclude=r"\b(?:relationship|marriage|friendship|contract|call|meeting|lease|job|"
        r"chapter|habit|drinking|using|cycle|addiction|argument|fight|affair|week|day)\b[^,.]{0,20}$",
    ),
    _r(
        _SUI,
        r"\b(?:commit|committing|attempt|attempted|attempting|considering|contemplating|planning|"
        r"plan|thinking about|thinking of|thought about|thoughts? of|thoughts? about) "
        r"(?:my )?suicide\b(?! (?:prevention|awareness|hotline|helpline|line|rates?|statistics|"
        r"survivors?|bereavement|loss|squad))|\bsuicide (?:note|letter|plan|pact)\b",
    ),
    _r(
        _SUI,
        r"\b(?:want|wanted|wanting|wish|ready|deserve|need|hope) (?:to |i could |i would |i "
        r"can |i )?(?:just )?die+\b(?! (?:of|from) (?:embarrassment|shame|laughter|laughing|"
        r"boredom|cringe)| laughing|-| hard| for| my| it| (?:the|her|his|your) hair| when (?:i|he|she|"
        r"they|we) (?:saw|heard|found|realised|realized|read|got)\b)|\b(?:i|we) (?:am|will be) better off dead\b|"
        r"\bbetter off dead\b|\bwish i (?:was|were|could be|would be|had been) (?:dead|gone|never "
        r"born|not born|not here|not alive|never alive|not around)\b|\bwish i (?:could|would|had) (?:just )?(?:die|died|disappear)\b(?! (?:for|into|to|on|in|from|"
        r"with|off)\b)|"
        r"\bwish i had never been born\b|\bwant to be (?:dead|gone)\b|"
        r"\bwant (?:it|everything|it all|the pain|this|all of this) (?:all )?to (?:stop|end|be over)"
        r" (?:forever|for good|permanently)\b|\bwant (?:everything|it all) to (?:end|be over|stop)\b|"
        r"\bwant out of (?:this )?life\b|\bwish(?:ing)? i (?:would not|will not|did not|do not|"
        r"could not|never) wake up\b",
        pre_exclude=r"\b(?:embarrass\w*|cringe\w*|awkward|humiliat\w*|mortified)\b[^.!?]{0,25}$",
    ),
    _r(
        _SUI,
        r"\b(?:do not|did not|does not|no longer) (?:want|wish|wanna) to (?:live|be alive|exist|"
        r"be here anymore|be here any more|wake up|keep living|go on|carry on|be on this earth)\b"
        r"(?! like this| this way| in | with | early| at \d)|"
        r"\bwant to (?:stop existing|not exist|not be alive|not wake up|never wake up|sleep forever|"
        r"disappear|vanish|not be here)\b(?! for (?:a|the|some|\d|two|three|few)| to (?:a|the)| on| into| in(?:to)? | from (?:work|social)| with| off)|"
        r"\bwish i could (?:just )?(?:disappear|vanish|not wake up|sleep forever)\b(?! (?:for|into|to|on|"
        r"in|from|with|off)\b)|"
        r"\b(?:hope|pray) i (?:do not|never) wake up\b|\b(?:go to )?sleep and never wake up\b|"
        r"\b(?:not sure|do not know if|do not know whether) i (?:want to|can) (?:live|go on|keep "
        r"living|be alive|keep going)\b",
    ),
    _r(
        _SUI,
        r"\bno (?:point|reason|use|purpose) (?:in |to |of )?(?:going on|living|carrying on|carry on|"
        r"keep going|keeping going|being alive|staying alive|life|existing|being here|live|keep living|"
        r"continue living|go on living|stay alive|be alive|exist|be here|wake up|"
        r"anything anymore|any of this anymore)\b|\bnothing (?:left )?to live for\b|"
        r"\b(?:tired|sick|done) (?:of|with) (?:living|being alive|life|existing|it all)\b"
        r"(?! as (?:i|we|you) (?:knew|know) it| as usual| of| in)|"
        r"\bdone living\b(?! as)|\b(?:life|it) (?:is not|is no longer|isn't) worth (?:living|it anymore)\b|"
        r"\bnot worth living\b|\b(?:do not|can not|could not) see (?:the|any) point (?:in|of) "
        r"(?:living|being alive|life|going on|staying alive|existing)\b|\b(?:do not think|not sure|doubt|do not know if|do not know how) "
        r"(?:that )?i can (?:go on|keep going|carry on|keep living|survive this|hold on)\b|\bwhat is the point (?:of|in) (?:living|life|going on|being alive|"
        r"anything anymore)\b|\blife is pointless\b|\bcan not (?:go on|keep going|carry on)"
        r"(?: anymore| any more| like this| living)?\b(?! (?:with|without|to|the|a|at|holiday|"
        r"trip|drinking|using|tour))",
    ),
    _r(
        _SUI,
        r"\b(?:better off|be better|happier|be happier|be fine) without me\b|"
        r"\b(?:no one|nobody|noone) (?:would|will|is going to|going to) (?:even )?(?:miss me|"
        r"remember me|(?:miss|notice|care|mind)(?: it)? (?:if|when) i (?:died|die|was gone|were gone|"
        r"am gone|disappeared|was dead|were dead|was not here|did not wake up|killed myself))\b|"
        r"\b(?:everyone|everybody|the world|my family|my kids|they|people) (?:would|will) be "
        r"(?:better|happier|easier|fine)(?: off)? (?:if i (?:was|were|am) (?:gone|dead|not here|"
        r"not around|never born)|without me)\b|\b(?:rather|prefer to) be dead\b(?! than)|"
        r"\bno (?:reason|point) for me to (?:live|go on|be alive|keep going|stay alive|exist)\b|"
        r"\bwant to stop living\b",
    ),
    _r(
        _SUI,
        r"\bgoodbye (?:letters?|notes?|messages?|videos?|texts?)\b|\bwrote (?:my |a |some )?"
        r"(?:final|last) (?:letters?|notes?|messages?)\b|\b(?:saying|say|to say) goodbye to "
        r"(?:everyone|everybody|all of you|the world|my (?:family|kids|children|loved ones))\b|"
        r"\bgoodbye forever\b|\bthis is (?:my )?goodbye\b|\bgiving away (?:all )?my (?:stuff|things|"
        r"belongings|possessions)\b",
        media_sensitive=True,
        sentence_exclude=r"\b(?:airport|flight|trip|holiday|vacation|party|train|station|move|moving|"
        r"visit|weekend|20\d\d|new year)\b",
    ),
    _r(
        _SUI,
        r"\b(?:jump(?:ing|ed)?|(?:throw|throwing|threw|fling|hurl)(?:ing)? myself) (?:off|from|out of) (?:the |a |this |that |my |our )?(?:\w+ )?(?:building|bridge|"
        r"roof|rooftop|balcony|window|ledge|cliff|tower|flat|block|floor|top)\b|"
        r"\b(?:jump|jumping|step|stepping|walk|walking|throw myself|throwing myself) in front of "
        r"(?:a |the )?(?:train|bus|car|truck|lorry|mtr)\b|"
        r"\b(?:going to|about to|want to|ready to|will) jump\b(?=\s*(?:$|[.!,]| tonight| now| right))|"
        r"\b(?:hang|hanging|hanged) myself\b|\b(?:slit|slitting|slash|slashing|slice|sliced|slicing|cut|cutting|open|"
        r"opening) (?:my|his|her) (?:own )?wrists?\b|\bdrown(?:ing)? myself\b|"
        r"\bshoot(?:ing)? myself\b|\b(?:gun|pistol) to my head\b|\bwalk (?:out )?into traffic\b|\bwalk(?:ing)? (?:out )?into the (?:sea|ocean|water|harbou?r)\b|"
        r"\b(?:(?:saved|saving) (?:up (?:all )?|all |enough )|stockpil\w+ |hoard\w* )"
        r"(?:my |enough |the |of my )?(?:"
        + _PILLS
        + r")\b|\b"
        + _PILLS
        + r" (?:saved|stockpiled|hoarded)\b|"
        r"\boverdose on purpose\b|\bdrive (?:my car |the car )?(?:into|off) (?:the sea|the harbou?r|"
        r"a wall|a cliff|a bridge|the bridge|traffic|a tree|a truck)\b|"
        r"\b(?:bought|got|have) (?:a )?rope\b(?=[^.]{0,40}\b(?:neck|hang|end|die|tonight)\b)|"
        r"\bhow many " + _PILLS + r" (?:would it take|does it take|to) (?:to )?(?:die|kill|end)\b|"
        r"\b(?:best|easiest|quickest|painless) way to (?:die|kill myself|end it)\b",
    ),
    _r(
        _SUI,
        r"\b(?:going to|want to|plan to|planning to|will|intend to) overdose\b",
        pre_exclude=r"\b(?:scared|afraid|worried|terrified|fear|might|could|if)\b[^,.]{0,15}$",
    ),
    _r(
        _SUI,
        r"\b(?:want|wants|wanted|going|trying|tried|threatening|about|plans?|planning|talking "
        r"about|says? (?:he|she|they) (?:wants?|is going|are going)) (?:to )?kill(?:ing)? "
        r"(?:himself|herself|themselves|themself)\b",
    ),
    _r(
        _SUI,
        r"想(?:去)?死(?!你|妳|佢|人|得|咗條心|咗呢條心|都唔|都不|也不|都要)",
        # "X到想死" is hyperbole unless X is itself distress (痛苦到想死 is labelled suicide).
        pre_exclude=r"(?<!痛苦)(?<!辛苦)(?<!絕望)(?<!抑鬱)(?<!難受)(?<!傷心)(?<!崩潰)(?<!無助)(?<!難過)"
        r"(?<!孤獨)(?<!寂寞)(?<!心痛)(?<!痛)(?<!頂唔順)(?<!捱唔住)(?<!壓力大)(?<!失戀)(?<!孤單)(?<!自責)"
        r"(?<!內疚)(?<!冇希望)(?:到|得)(?:我|人)?(?:好|真係)?$",
    ),
    _r(
        _SUI,
        _ZH_INTENT
        + _ZH_WHEN
        + r"(?:去)?(?:自殺|自盡|輕生|尋死|跳樓|跳海|燒炭|上吊|吊頸|割脈|割手腕|𠝹手腕|"
        r"服毒|一了百了|一死了之|做傻事|了結|結束(?:自己|我)?(?:嘅|的)?(?:生命|性命)|結束一切|"
        r"食晒(?:啲|所有|全部)?[^,.!?。！？]{0,4}藥|(?:從|由|喺)?(?:樓上|天台|樓頂|橋|窗|露台)(?:上|頂|邊|度|面)?跳(?:下|落)"
        r"(?:去|街|海)?)|準備(?:好|咗)(?:啲|晒)?(?:安眠藥|炭|繩|遺書)|"
        r"一死了之|了結(?:自己|我自己|生命|殘生)|結束自己(?:嘅|的)?(?:生命|性命)|(?:割|𠝹|鎅|界)"
        + _ZH_ZO
        + r"?(?:手腕|脈)",
        post_exclude=r"^(?:嘅)?(?:新聞|熱線|講座|電影)|^[^,.!?。！？]{0,2}(?:火鍋|爐|燒烤|bbq)",
    ),
    _r(
        _SUI,
        r"自殺(?:嘅|的)?(?:念頭|傾向|計劃|想法)|(?:有|諗|想)(?:過|緊)?(?:自殺|輕生)(?:嘅|的)?(?:念頭|諗法)",
    ),
    _r(
        _SUI,
        r"(?:唔|不|冇|無)(?:想|願意|願)(?:再(?:生存|活|活落去|活下去|做人|存在|醒|醒返)|生存|活|"
        r"活落去|活下去|做人|存在|醒返|再?繼續(?:生存|活|做人|落去|下去))(?!喺|在|係|得咁)|(?:活|生存|撐|捱)(?:唔|不)(?:落|下)去|生無可戀|"
        r"(?:冇|無)(?:咩)?(?:意思|意義|理由)(?:再)?(?:活|生存|做人|活落去)|(?:活|生存|做人)(?:住|著|着|"
        r"落去|下去)?(?:都|好|真係)*(?:冇|無)(?:意思|意義)|唔想再(?:喺度|喺呢個世界|存在)|"
        r"死(?:咗|左|了)(?:就|便)?(?:唔使|不用|唔會|唔駛)再(?:痛苦|受苦|辛苦|難受|受罪)|"
        r"(?:天台|樓頂|橋|窗|露台|海邊)[^.!?。！？]{0,15}?" + _ZH_INTENT + r"跳(?:落|下)",
    ),
    _r(
        _SUI,
        r"(?:冇|無)人會(?:掛住|記得|想念|懷念)我|(?:冇|無)(?:咗|左)我[^,.!?。！？]{0,6}(?:會|都會)"
        r"(?:好|開心|輕鬆)|死(?:咗|左|了)(?:佢|就)?(?:算|好過|一了百了)|死(?:咗|左|了)[^,.!?。！？]{0,6}"
        r"(?:大家|佢哋|你哋|屋企人)[^,.!?。！？]{0,4}(?:好|開心|輕鬆)",
    ),
    _r(
        _SUI,
        r"遺書|遺言|(?:同|跟|向)(?:大家|你哋|所有人|屋企人|全世界)(?:講|說)(?:再見|拜拜|永別)|永別",
        media_sensitive=True,
    ),
    _r(
        _SUI,
        r"(?:瞓|睡)(?:咗|著|低|着)?(?:之後)?(?:就)?(?:唔好|唔使|不要|都唔想|永遠唔|唔會|冇得|唔想)再?(?:醒|起身)|"
        r"想(?:永遠)?(?:喺|在)?(?:呢個)?(?:世界上?)?消失(?!一排|一陣|幾日|一下|下|幾|喺(?:人群|人海|街|城市|大自然|山|海邊))|"
        r"(?:幾多|多少)(?:粒|顆|片)[^,.!?。！？]{0,6}(?:會死|先會死|死得|致命)|"
        r"點(?:樣)?(?:死|自殺)(?:最|會)?(?:快|唔痛|冇痛)",
    ),
    _r(
        _OD,
        r"\b" + _INGEST + r" (?:\w+ ){0,3}?(?:more|extra) (?:\w+(?:'s)? ){0,2}?" + _DRUG_EN + r"(?: \w+){0,2}? "
        r"(?:than|then) (?:i|he|she|they|we|prescribed|usual|normal|my|his|her)\b|"
        r"\b(?:drank|had|downed|necked|finished) (?:a |the |half a |most of a )?(?:whole |full |entire )?"
        r"(?:bottle|litre|liter|fifth|handle) of (?:\w+ )?" + _ALCOHOL + r"\b(?=[^.!?]{0,40}\b(?:took|taken|"
        r"popped|swallowed|with|and|plus) (?:\w+ ){0,3}?" + _DEPRESSANT + r"\b)|"
        r"\b(?:popped|took|taken|swallowed) (?:\w+ ){0,2}?(?:a bunch|a load|a handful|loads|lots|heaps) "
        r"of (?:\w+(?:'s)? ){0,3}?" + _DEPRESSANT + r"\b",
        pre_exclude=r"\b(?:going to|want to|will|plan to|planning to|about to|thinking (?:about|of)|"
        r"ready to|might|should i|can i|if (?:i|you|he|she)|could|how)\b(?: \w+){0,2} $",
    ),
    # --- broadened suicide: wish lexicon, methods with plan cues, code-mixing ---
    _r(
        _SUI,
        r"\b" + _EN_WISH + r" (?:to )?(?:just |really |finally |honestly |seriously |actually |fucking |"
        r"so |simply |quietly |peacefully ){0,2}(?:die|be dead|end (?:it all|my life|everything|my own "
        r"life)|take my (?:own )?life|stop (?:existing|living|breathing)|not (?:be )?(?:exist|alive|"
        r"here anymore|here any more|around anymore|around any more)|cease to exist|disappear "
        r"(?:forever|for good|permanently|from (?:this|the) (?:world|earth|planet))|sleep forever|go to "
        r"sleep forever|leave this (?:world|earth|life)|be gone (?:forever|for good)|never wake up|"
        r"not wake up)\b(?! (?:of|from) (?:embarrassment|shame|laughter|laughing|boredom|cringe)| "
        r"laughing|-| hard\b| for\b| my hair| (?:the|her|his|your) hair| early| before| until| till| when "
        r"(?:i|he|she|they|we) (?:saw|heard|found|realised|realized|read|got)\b)",
        pre_exclude=r"\b(?:embarrass\w*|cringe\w*|awkward|humiliat\w*|mortified)\b[^.!?]{0,25}$|"
        r"cross my heart(?: and)? $",
    ),
    _r(
        _SUI,
        r"\b(?:sleep|go to sleep|fall asleep|close my eyes|go to bed|lie down|drift off)(?: tonight)? "
        r"(?:and|&|n) (?:just |simply )?(?:not|never) (?:wake up|wake|open (?:them|my eyes))(?: again)?\b"
        r"(?! (?:early|until|till|til|before|on time|in time|at \d|for (?:work|school|class|the)))|"
        r"\b(?:better|easier|nice|nicer|great|a relief|peaceful|wish|hope|pray|happy|glad|fine|okay|ok|"
        r"relieved|would not mind)\b[^.!?]{0,25}\bif i "
        r"(?:did not|do not|never|would not|could not|just did not) wake up\b(?! (?:early|on time|in time))|"
        r"\b(?:do not|does not|no longer) deserve to (?:live|be alive|exist|be here)\b|"
        r"\bthis is the end (?:for|of) me\b|\b(?:will not|am not going to) be (?:around|here|alive) "
        r"(?:much longer|for (?:much )?longer|after tonight|by tomorrow|by morning)\b|\bthis (?:is|will be) "
        r"my (?:last|final) (?:message|text|msg|goodbye|night|day)\b|\byou (?:will|are going to) never "
        r"(?:hear from|see) me again\b|\b(?:slit|slitting|cut|cutting) my (?:own )?throat\b|"
        r"\b(?:ways?|methods?|how) to (?:die|commit suicide|hang (?:myself|yourself)|kill (?:myself|"
        r"yourself))\b(?! (?:my|your|her|his) hair| hard| trying| laughing)",
        media_sensitive=True,
    ),
    _r(
        _SUI,
        r"\b(?:everyone|everybody|they|my (?:family|kids|children|wife|husband|partner|parents|mum|mom|"
        r"dad|friends)|people|the world|you|you all|you guys|all of you|it|things|life) (?:would|will)? ?"
        r"(?:all )?(?:be )?(?:so |much |a lot |way )?(?:better|happier|easier|fine|ok|okay|lighter)"
        r"(?: off)? (?:for (?:everyone|everybody|them|my family|all) )?(?:if i (?:was|were|am|was not|"
        r"were not|am not|just|had) (?:\w+ )?(?:gone|dead|not here|not around|around|here|alive|never "
        r"born|died|disappeared|been born)|if i (?:died|disappeared|did not exist|was not around|killed "
        r"myself|ended it)|without me|when i am gone|once i am gone)\b",
    ),
    _r(
        _SUI,
        r"\b(?:got|have|bought|buying|buy|burn(?:ing)?|light(?:ing)?|with) (?:the |some |a bag of |a "
        r"bbq of )?charcoal\b|\bnoose\b|\b(?:got|have|bought|buying|tied|tying|found) (?:a |the |some )?"
        r"rope\b|\b(?:has|had) (?:a |the )rope\b|\b(?:belt|rope|cord|scarf) (?:around|round) my neck\b",
        requires=r"\b(?:tape|taped|seal|sealed|sealing|windows?|gaps?|bedroom|in (?:my|the) (?:room|flat|"
        r"car)|goodbye|end it|to end|end my|die|ready|never wake|tonight is the night|neck|hang|hanging|"
        r"ceiling|beam|rail|noose|strong enough|tie it|last)\b|\btonight'?s the night\b",
        sentence_exclude=r"\b(?:bbq|barbecue|barbeque|grill|grilling|bbqing|picnic|camping|hotpot|art|"
        r"drawing|sketch|mask|toothpaste|filter|activated|climbing|skipping|jump rope|tow|boat|tent|"
        r"hammock|washing line|yoga|party|beach|movie|film|show|game|knot|debt|financial)\b",
        media_sensitive=True,
    ),
    _r(
        _SUI,
        r"\b(?:jump|jumping|jumped|step|stepping|lie|lying|lay|laying|throw myself|throwing myself|fall|"
        r"falling|walk|walking) (?:down )?(?:onto|on to|on|in front of|off) (?:the )?(?:train |mtr |"
        r"railway |rail |subway )?(?:tracks|rails)\b|\b(?:standing|sitting|stood|sat|up|i am|i am "
        r"standing|i am sitting) on (?:the |a |my |our |this )?(?:\w+ )?(?:ledge|edge|roof|rooftop|railing|"
        r"parapet|bridge)\b(?! of (?:my|the|a) (?:bed|seat|chair|sofa|couch|bath))",
        requires=r"\b(?:jump|jumping|goodbye|bye|end|die|can not (?:do|take|go)|done|looking down|let go|"
        r"no one|nobody|sorry|over|last|anymore|any more|tracks|train)\b",
        sentence_exclude=r"\b(?:party|bbq|barbecue|drinks|view|photo|pic|picture|sunset|fireworks|"
        r"fixing|repair|antenna|cat)\b",
    ),
    _r(
        _SUI,
        r"\b(?:have|got|with|holding|counted|lined) (?:out |up )?(?:all )?(?:the |my |a (?:bottle|box|pile|"
        r"handful) of )?(?:" + _PILLS[3:-1] + r"|rope|noose|charcoal|blade|razor) (?:right )?(?:here|ready|"
        r"lined up|counted out|in front of me|laid out|next to me|in my hand)\b|"
        r"\b(?:going to|want to|will|plan to|planning to|about to|thinking (?:about|of)|ready to|"
        r"decided to) (?:just )?(?:take|taking|swallow|swallowing|down|downing|pop|popping) " + _MANY,
    ),
    _r(
        _SUI,
        r"\bsuicidal\b(?! (?:character|teens?|people|patients|clients|behaviou?r))",
        pre_exclude=r"\b(?:if|when|whether|in case)\b[^.!?,]{0,30}$|\b(?:someone|somebody|anyone|"
        r"people|person|friends?|those) who (?:is|are|feels?|gets?)? ?$",
    ),
    _r(
        _SUI,
        r"(?:想|要|準備|打算|諗住|計劃|決定|寧願|不如|好想|想去|要去)" + _ZH_GAP + r"(?:去)?(?:自殺|自盡|"
        r"輕生|尋死|跳樓|跳海|跳軌|臥軌|跳落路軌|燒炭|上吊|吊頸|割脈|服毒|一了百了|一死了之|了結自己|"
        r"死咗佢|死咗去|結束生命|結束自己(?!嘅|的))",
        pre_exclude=r"(?:到|得)(?:我|人)?(?:好|真係)?$",
        post_exclude=r"^(?:嘅)?(?:新聞|熱線|講座|電影)|^[^,.!?。！？]{0,2}(?:火鍋|爐|燒烤|bbq)",
    ),
    _r(
        _SUI,
        r"燒炭|吊頸|上吊|跳軌|臥軌|割脈",
        sentence_exclude=r"燒烤|bbq|火鍋|打邊爐|露營|爐",
        pre_exclude=r"(?:到|得)(?:我|人)?(?:好|真係)?(?:想)?$|(?:講|傾|討論|關於|預防)[^,.!?。！？]{0,4}$",
        post_exclude=r"^(?:嘅|的)?(?:新聞|熱線|講座|電影|個案|死|走|過身|身亡|自殺死)|^(?:咗|左)?(?:死|走咗|過身)",
        media_sensitive=True,
    ),
    _r(
        _SUI,
        r"(?:(?:今晚|聽日|一陣|等陣|遲啲|今日)(?:就)?(?:會|要)?(?:去)?|(?:想|要|準備|打算|諗住)[^,.!?。！？]{0,4}?)"
        r"(?:食晒|吞晒|食埋|全部食|一次過食|一次過吞)(?:啲|所有|全部|成樽|成排|成板)?[^,.!?。！？]{0,4}(?:藥|丸)",
    ),
    _r(
        _SUI,
        r"(?:買|攞|搵|準備|擺|點|燒)(?:咗|左|好|定)?(?:包|啲|盆|個|袋)?炭",
        requires=r"封|膠紙|窗|門縫|門隙|今晚|就走|走喇|唔想|再見|瞓|房|死|準備好|遺書|最後",
        sentence_exclude=r"燒烤|bbq|打邊爐|烤|露營|火鍋|燒嘢食|野餐|煲仔",
    ),
    _r(
        _SUI,
        r"(?:企|坐|喺|上(?:咗|左|到)?|爬(?:咗|左)?上|行(?:咗|左)?上)(?:咗|左|緊|喺|喺度)?(?:去)?(?:天台|樓頂|"
        r"天台邊|橋上|橋邊|欄杆|窗台|窗邊|露台邊|月台邊|路軌|海邊)",
        requires=r"跳|唔想|再見|落去|最後|永別|死|結束|捱唔落|頂唔順|冇意思|拜拜|對唔住|遺書|一了百了|唔返|唔再",
        sentence_exclude=r"燒烤|打卡|影相|睇日落|食飯|飲嘢|乘涼|曬|bbq|派對|party|睇煙花|睇星|跑步|做運動|"
        r"晾衫|維修|整嘢",
    ),
    _r(
        _SUI,
        r"(?:消失|死|唔喺度|唔在|唔存在)(?:咗|左|了)?(?:之後)?[^,.!?。！？]{0,3}?(?:佢哋|大家|屋企人|你哋|"
        r"全世界|人哋|個個|家人|爸媽|身邊嘅人)[^,.!?。！？]{0,3}?(?:會|就|都會|先會)?(?:好過|開心|輕鬆|好啲|"
        r"冇咁辛苦|冇負擔|冇咁煩)|(?:拖累|負累|累住|連累)[^,.!?。！？]{0,10}?(?:死|消失|唔存在|唔喺度)|"
        r"(?:死|消失|唔存在|唔喺度)[^,.!?。！？]{0,8}?(?:唔會|唔使|冇得)?再?(?:拖累|負累|累住|連累)",
    ),
    _r(
        _SUI,
        r"永遠(?:都)?(?:唔|不|冇得|唔會|唔好)(?:再)?(?:醒|起身)|一瞓(?:就)?(?:唔|不)(?:再)?醒|"
        r"(?:想|希望|寧願|但願)[^,.!?。！？]{0,3}?(?:永遠(?:咁)?瞓|長眠)|永遠瞓(?:落去|低|咗|著)?(?:就好|都好|"
        r"算|最好)|(?:瞓|睡)(?:咗|著|低|着|覺){0,2}(?:之後)?(?:就)?(?:唔|不)(?:再)?醒(?:返)?(?:就好|都好|好過|"
        r"算|最好)",
        sentence_exclude=_MESSAGE_REPLY_RE,
    ),
    _r(
        _SUI,
        r"(?:想|要|準備|打算|寧願|決定|會) ?(?:end (?:it all|it|my life|everything)|die|disappear forever|"
        r"suicide|commit suicide|unalive|kill myself)\b|"
        r"(?:想|要|準備|打算|寧願|好想)(?:永遠)?離開(?:呢個|這個)?(?:世界|人世|人間)|(?:同|向)(?:呢個|這個)?"
        r"世界(?:講|說)(?:再見|拜拜)|唔(?:配|值得|應該)(?:再)?(?:活|生存|做人|存在)(?:落去|喺呢個世界)?"
        r"(?!得|喺度)",
    ),
    _r(
        _SUI,
        r"\b(?:thinking|think|thought|thoughts|dreaming|obsessing|fantasi[sz]ing) (?:a lot |so much |"
        r"constantly |all the time )?(?:about|of) (?:dying|being dead|not being (?:here|alive|around)|"
        r"ending (?:it|things|my life)|not existing|not waking up|my (?:own )?death)\b|"
        r"\b(?:do not|can not|could not) see myself (?:being )?(?:alive|here|around|living) "
        r"(?:by|in|next|after|much longer|for long|anymore|any more)\b|\bno (?:way out|escape|other "
        r"way|other option)\b[^.!?]{0,20}\b(?:dying|death|die|suicide|end it|kill myself)\b|"
        r"\b(?:going to|wants? to|trying to|threatening to|threatened to|about to|plans? to|planning "
        r"to|will|says (?:he|she|they) (?:is|are) going to|said (?:he|she|they) (?:is|was|are|were) "
        r"going to) (?:end|take) (?:his|her|their) (?:own )?life\b|\bdrive (?:\w+ ){0,2}?(?:into|off) "
        r"(?:the |a )?(?:\w+ ){0,2}?(?:sea|harbou?r|wall|cliff|bridge|pier)\b|\bhow many (?:of )?(?:my |"
        r"the |these |those )?(?:\w+ )?" + _PILLS + r"\b[^.!?]{0,25}\b(?:take|kill|die|enough|fatal|"
        r"lethal|overdose)\b|\b(?:lethal|fatal|deadly) (?:dose|amount)\b",
        media_sensitive=True,
        pre_exclude=r"\b(?:stopped|no longer|quit)\s*$",
    ),
    _r(
        _SUI,
        r"\b(?:goodbye|bye) (?:everyone|everybody|all|world|forever|guys)\b|\bgoodbye\b\W*$",
        requires=r"\b(?:i am done|can not (?:do|take) (?:this|it) anymore|too hard|no point|tired of "
        r"(?:everything|life|it all)|sorry for everything|forgive me|love you all|take care of|this is the "
        r"end|for the last time|not worth|the end)\b",
        sentence_exclude=r"\b(?:airport|flight|trip|holiday|vacation|party|see you|next week|tomorrow|"
        r"weekend|group)\b",
    ),
    _r(
        _SUI,
        r"(?:準備|打算|諗住|想|要)(?:今晚|聽日|一陣|等陣)?(?:就)?(?:食晒|吞晒|一次過食|一次過吞)"
        r"(?![^,.!?。！？]{0,3}(?:飯|嘢|餸|餅|糖))",
        requires=r"藥|丸",
    ),
    _r(
        _SUI,
        r"(?:買|儲|囤|攞|搵)(?:咗|左|定|好|埋)(?:好多|成樽|啲|一樽|幾樽)?(?:安眠藥|瞓覺藥|炭|繩|刀片|農藥)",
        requires=r"今晚|準備|食晒|死|走|結束|唔想|一了百了|再見|永別|遺書|最後|了結",
        sentence_exclude=r"燒烤|bbq|打邊爐|露營|行山|搬屋|綁|醫生|失眠",
    ),
    _r(
        _SUI,
        r"寫(?:咗|左|好)(?:封|啲|幾封)?(?:信|遺言|遺書)",
        requires=r"今晚|之後|最後|再見|永別|唔會再|對唔住|唔好掛住|走|死",
        media_sensitive=True,
    ),
    _r(
        _SUI,
        r"(?:以後|之後|今晚之後|從此)(?:就)?(?:唔會|唔使|冇得)再(?:煩|麻煩|拖累|連累)(?:住)?(?:你哋|佢哋|大家|"
        r"屋企人|你)|想[^,.!?。！？]{0,3}(?:瞓|睡)(?:咗|著|低|着|覺){0,2}(?:之後)?(?:就)?(?:唔|不|永遠唔|唔好|"
        r"唔會)再?醒|如果我(?:死|消失|唔喺度|唔在)(?:咗|左|了)?[^.!?。！？]{0,8}?(?:佢哋|大家|屋企人|你哋|"
        r"全世界|人哋|個個|家人|爸媽)[^.!?。！？]{0,4}?(?:好過|開心|輕鬆|好啲|冇咁辛苦|冇負擔|冇咁煩|解脫)",
    ),
    _r(
        _SUI,
        r"\b(?:going to|gonna|ready to|about to|will|want to|decided to) (?:finally |just |really )?do it\b"
        r"(?! (?:again|later|properly|right|for (?:you|him|her|them|the|my)|with)\b)",
        requires=r"\b(?:pills|tablets|rope|noose|charcoal|blade|razor|bridge|roof|rooftop|ledge|jump|"
        r"goodbye|end it|kill myself|die|tracks|sorry for everything|forgive me|last time)\b",
        sentence_exclude=r"\b(?:trip|exam|test|interview|presentation|marathon|course|class|meeting)\b",
    ),
    _r(
        _SUI,
        r"\b(?:i am|standing|sitting|i am standing|i am sitting|up) (?:on|at) (?:the |a |my |our |this )?"
        r"(?:\w+ )?(?:pier|cliff|platform|balcony|top floor|harbou?r(?:front)?|waterfront|cliff edge)\b",
        requires=r"\b(?:jump|jumping|goodbye|end it|die|can not (?:do|take|go) (?:this|it|on)|let go|"
        r"no one|nobody|sorry)\b",
        sentence_exclude=r"\b(?:swim|swimming|fishing|dive|diving|boat|ferry|party|photo|view|sunset|"
        r"fireworks|waiting|bus|train to|meet)\b",
    ),
    _r(
        _SUI,
        r"(?:今晚|今日|聽日)(?:過後|之後)[^,.!?。！？]{0,6}?(?:唔會|冇得|再冇機會)再見到我|永遠(?:都)?(?:唔會|冇得)"
        r"再見到我|(?:已經|準備好|偷偷)(?:買|攞)(?:咗|左|好)炭",
        sentence_exclude=r"燒烤|bbq|打邊爐|露營|火鍋",
    ),
    _r(
        _SUI,
        r"儲(?:咗|左|緊|定|起|埋)(?:好多|啲|一堆|成樽|幾樽)?(?:安眠藥|瞓覺藥|止痛藥|藥丸|藥)|"
        r"(?<!佢)(?<!你)死(?:咗|左|了)(?:都|也)(?:冇所謂|冇人(?:理|知|在乎|關心|會知|發現|理會)|唔緊要)",
    ),
    # ---------------- self-harm ----------------
    _r(
        _HARM,
        r"\b(?:cut|cutting|cuts|slic(?:e|ed|ing)|slash(?:ed|ing)?|carv(?:e|ed|ing)|burn(?:ed|t|ing)?) "
        r"(?:into )?(?:myself|my (?:arms?|legs?|thighs?|skin|stomach|body|wrists? on purpose))\b|"
        r"\b(?:cut|burn|burnt|burned|hurt|hit|punched|scratched|bit)\b[^.!?]{0,30}\bon purpose\b",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(
        _HARM,
        r"\b(?:hurt|hurting|harm|harming|burn|burning|burnt|burned|hit|hitting|punch|punching|"
        r"punched|stab|stabbing|stabbed) myself\b(?! out\b)",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(_HARM, r"\bself[- ]?harm(?:ing|ed|s)?\b", media_sensitive=True),
    _r(
        _HARM,
        r"\btook a (?:blade|razor|knife|box cutter) to my (?:arms?|legs?|thighs?|skin|stomach)\b|"
        r"\b(?:cuts|scars|burns|wounds|marks) on my (?:\w+ )?\w+ (?:are|were) (?:from me|"
        r"self[- ]inflicted|my own doing)\b|\bi (?:did|made|gave myself) (?:them|these|those) "
        r"(?:cuts|burns)\b|(?:傷口|傷痕|疤痕?)[^,.!?。！？]{0,6}(?:係)?我自己(?:整|𠝹|鎅|割|搞|弄)",
    ),
    _r(
        _HARM,
        r"\bbang(?:ing|ed)? my head (?:against|on|into)\b|"
        r"\b(?:scratch|scratched|scratching|pick|picked|picking) (?:\w+ ){0,3}(?:until|till|til|so) "
        r"(?:it|they|i) (?:bleeds?|bled|bleeding|bleed)\b",
    ),
    _r(
        _HARM,
        r"\b(?:want|wanting|urge|urges|need|going|tempted|about|itching|desperate|trying not|"
        r"fighting the urge|resisting the urge|struggling not) to (?:cut|self[- ]?harm|hurt myself|"
        r"harm myself|burn myself)\b(?! (?:back|down|out|off|ties|corners|class|school|my hair|hair|"
        r"the|it|him|her|them|people|contact|costs|carbs|sugar|alcohol|drinking|smoking|caffeine|"
        r"loose|in|through|across|a|some|my|you|up)\b)|"
        r"\b(?:feel like|feeling like|thinking about|craving) (?:cutting|self[- ]?harming|hurting "
        r"myself|burning myself)\b(?! (?:back|down|out|off|ties|corners|class|school|my hair|hair|"
        r"the|it|carbs|sugar|people)\b)|"
        r"\b(?:been|started|start|keep|kept|can not stop|could not stop|relapsed on|relapsed into|"
        r"relapse on) (?:cutting|self[- ]?harming|hurting myself|burning myself)\b(?! (?:back|down|"
        r"out|off|ties|corners|class|school|my hair|hair|the|it|carbs|sugar|people)\b)|"
        r"\b(?:thoughts?|urges?|thinking|thought) (?:about|of) (?:cutting|self[- ]?harm(?:ing)?|"
        r"hurting myself|harming myself)\b",
    ),
    _r(
        _HARM,
        r"(?:𠝹|鎅|界|割)"
        + _ZH_ZO
        + r"?(?:緊|過|完)?(?:自己|我自己|手(?!腕|機|指|甲|袖|錶|續)|手臂|"
        r"手瓜|大髀|腳(?!甲|趾))",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(
        _HARM,
        r"傷害(?:我)?自己(?!(?:嘅|的)?(?:身體|健康|肝|胃))|自殘|自我傷害|自傷|"
        r"(?:燙|燒)"
        + _ZH_ZO
        + r"?(?:傷)?自己|打自己(?!嘴巴|把口|個嘴|嘴)|(?:用|攞)(?:個)?頭撞(?:牆|自己)|"
        r"(?:用|攞)(?:刀|鎅刀|刀片|剃刀|玻璃|界刀)(?:仔)?(?:𠝹|鎅|界|割)|想(?:𠝹|鎅)(?!佢|人|你|嘢|菜|開|爛)",
        sentence_exclude=_ACCIDENT_RE,
    ),
    # --- broadened self-harm: instrument or cutting verb plus body part ---
    _r(
        _HARM,
        r"\b(?:razor|blade|box ?cutter|compass|sharpener|lighter|cigarette)s?\b[^.!?]{0,30}\b(?:my "
        r"(?:arms?|legs?|thighs?|skin|stomach|hips?|body)|myself)\b|\b(?:cut|cutting|cuts|slice|sliced|"
        r"slicing|carve|carved|carving|burn|burned|burnt|burning) (?:\w+ ){0,3}?(?:my|into my) (?:arms?|"
        r"legs?|thighs?|skin|stomach|hips?|body)\b|\bi (?:\w+ )?(?:cut|cutting|self harmed|sh) again\b|"
        r"\b(?:relapsed|slipped) (?:and|n|&) (?:cut|burned|burnt|hurt myself)\b|\b(?:punch|punched|"
        r"punching|hit|hitting) (?:the )?walls? (?:until|till|til|so hard|and) (?:my )?(?:knuckles|hands?|"
        r"fists?) (?:bleed|bled|broke|are bleeding|were bleeding)\b",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(
        _HARM,
        r"(?:用|攞|拎)(?:把|塊|張|個|支|啲)?(?:刀|鎅刀|刀片|剃刀|玻璃|界刀|針|圓規|火機|煙頭|打火機)(?:仔)?"
        r"[^,.!?。！？]{0,8}?(?:𠝹|鎅|界|割|刺|篤|燒|燙)(?!開|紙|菜|肉|包|餸|嘢|生果|膠|繡|烟|煙)|"
        r"(?:手臂|手瓜|大髀|大腿|小腿|皮膚|肚皮)[^,.!?。！？]{0,4}?(?:𠝹|鎅|界|割|刺|燒|燙)(?!親)"
        r"(?:咗|左|爛|損|傷|到|開)?",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(
        _HARM,
        r"(?:用|攞|拎)?(?:個)?頭(?:去)?(?:撞|撼|揼|砸|扑)(?:埋|落|向)?(?:牆|地|門|玻璃|枱|櫃)|"
        r"(?:撞|撼|揼|扑)(?:自己)?(?:個)?頭(?:埋|落|向)(?:牆|地|門|玻璃|枱)|"
        r"(?:刺|咬|抓|揼|撼)(?:傷|損|爛)?(?:咗|左)?(?:我)?自己|(?:抓|搣|咬)(?:到|得)(?:自己)?(?:隻手|手臂|"
        r"皮膚|塊面)?(?:流血|出血|損晒)",
        pre_exclude=r"好似$",
        sentence_exclude=_ACCIDENT_RE,
    ),
    # ---------------- violence ----------------
    _r(
        _VIO,
        r"\b" + _AGENT + r" (?:is |are |was |has |have |keeps |kept |just )?(?:going to|trying to|"
        r"threatening to|threatened to|threatens to|wants to|will|said (?:he|she|they) "
        r"(?:would|will|is going to|are going to)|says (?:he|she|they) (?:will|would|is going to)|"
        r"about to|coming to|tried to) " + _HARM_VERB + r" " + _VICTIM + r"\b(?! up)",
        post_exclude=r"^[^.!?]{0,8}\b(?:if|when) (?:i|we) (?:am|are|was|were|get|show up|turn up) "
        r"(?:late|not|home late)\b|^[^.!?]{0,8}\b(?:if|when) (?:i|we) (?:forget|miss|break|lose|skip|"
        r"spill|eat|do not (?:call|text|come|show|clean|finish))\b|"
        r"^[^.!?]{0,40}\b(?:if|when|once|after) (?:\w+ ){0,2}(?:finds? out|found out|"
        r"sees?|saw|hears?|heard|learns?|learned|knows?|knew|notices?|noticed|discovers?|"
        r"discovered|catch(?:es)?|caught)\b|^[^.!?]{0,3}\b(?:for|lol|haha|lmao)\b",
    ),
    _r(
        _VIO,
        r"\b" + _AGENT + r" (?:is |are |keeps |kept |has been |have been |was |were |just |always |"
        r"often |sometimes |still )?(?:hitting|beating|punching|kicking|choking|strangling|attacking|"
        r"stabbing|threatening|abusing|hurting|raping|slapping|strangled|choked|punched|kicked|beat|"
        r"hit|slapped|stabbed|attacked|threatened|abused|raped|beats|hits|abuses|threatens|chokes|"
        r"kicks|punches|slaps|shoved|shoves|stalking) " + _VICTIM + r"\b"
        r"(?! up\b| (?:at|in) (?:\w+ )?(?:chess|cards|badminton|tennis|pool|golf|poker|mahjong|games?|"
        r"football|soccer|basketball|ping pong|squash|running|races?|karaoke|darts|scrabble|it|that|"
        r"everything|fifa|arm wrestling|the (?:game|race|final|match))\b| with (?:a |an |the |some |his |her |their )?(?:\w+ )?(?:ideas?|questions?|texts?|"
        r"messages?|calls?|news|bills?|requests?|jokes?|story|stories|facts?|truth))",
    ),
    _r(
        _VIO,
        r"\b(?:pulled|pointed|waving|holding|has|had|got) (?:a|his|her|the) (?:knife|gun|machete|"
        r"blade|cleaver|chopper|weapon)\b(?=[^.]{0,30}\b(?:at|on|to|me|us|outside|door|threat|kill|"
        r"coming)\b|\s*[.!]*\s*$)|\bthreaten(?:ing|ed|s)? (?:me|us) with\b|\b(?:someone|somebody|"
        r"a man|a guy|people|he|they|" + _AGENT[3:-1] + r") (?:just )?(?:broke|is breaking|are breaking|"
        r"has broken) in(?:to)?\b(?! (?:tears|song|laughter|a smile|a sweat|my (?:car|account|locker)))|"
        r"\bintruder\b",
    ),
    _r(
        _VIO,
        r"\bi (?:am going to|will|want to|am about to|am really going to|swear i will|am tempted to|"
        r"am thinking about|am thinking of|might|feel like|need to|plan to|am planning to) "
        r"(?:really |actually |fucking |just )?(?:kill|killing|hurt|hurting|stab|stabbing|shoot|"
        r"shooting|murder|beat up|beating up|beat the \w+ out of|attack|attacking|strangle|smash|"
        r"punch|punching|hit|hitting) " + _PERSON_OBJ + r"\b",
    ),
    _r(
        _VIO,
        r"\b(?:i|we) (?:was|were|got|have been|am being|are being|just got|have just been|was just) "
        r"(?:\w+ )?(?:attacked|assaulted|raped|stabbed|beaten(?: up)?|beat up|mugged|jumped|"
        r"threatened|abused|punched|kicked|strangled|choked|sexually assaulted)\b"
        r"(?! by (?:a |the )?(?:car|bus|taxi|bike|ball|truck|van|wave|cravings?|thoughts?))",
    ),
    _r(
        _VIO,
        r"\bi (?:do not|did not|am not|no longer) feel safe (?:at home|here|with (?:him|her|them|my))|"
        r"\bi am not safe (?:at home|here|with)|\b(?:scared|afraid|fear|fearing|terrified) for my "
        r"(?:life|safety)\b",
    ),
    _r(_VIO, r"\bdomestic (?:violence|abuse)\b|\bbeing abused\b", media_sensitive=True),
    _r(
        _VIO,
        _ZH_AGENT + _ZH_GAP + r"(?:話|講|揚言|恐嚇話)?(?:要|會|想|準備|一陣|即刻)?(?:嚟|來)?"
        r"(?:殺|斬|劈|打|搞死|捅|刺|揼|插|掐|踢|虐待|毆打|恐嚇|威脅|襲擊|非禮|強姦|性侵|禁錮|追斬)"
        r"(?:死|傷|爆)?" + _ZH_ZO + r"?(?:緊|過)?(?:我|我哋|我屋企人|我個仔|我個女|我老婆|我老公)"
        r"(?!(?:個)?(?:電話|手機|電|call|機|俾|畀|比|部|嘅手機|哋電話))",
    ),
    _r(
        _VIO,
        r"(?:被|俾|畀|比)(?:人|佢|佢哋|"
        + _ZH_AGENT
        + r")?(?:打|斬|劈|襲擊|毆打|虐待|恐嚇|威脅|非禮|"
        r"強姦|性侵|家暴|追斬|揼|斬傷|打傷|捅|刺|打劫|禁錮)(?!機|波|工|牌|電話|針|卡|擾|交|激)",
    ),
    _r(
        _VIO,
        r"我(?:真係|好|而家)?(?:想|要|會|準備|打算|一陣|即刻|就嚟)(?:去)?(?:殺|斬|劈|捅|刺|打死|斬死|"
        r"殺死|劈死|揼死|打|揼)(?:咗|左|死|爆|傷|柒|撚死)?(?:佢哋|佢|人|條友|嗰條友|你|嗰個|嗰班)",
        pre_exclude=r"(?:到|得)$",
    ),
    _r(
        _VIO,
        _ZH_AGENT + r"[^,.!?。！？]{0,3}(?:拎|揸|攞|持|拿)(?:住|咗|左|起|出)?(?:把|支|枝|啲|一把)?"
        r"(?:刀|槍|鐵通|牛肉刀|西瓜刀|菜刀|鎅刀|武器)(?![^,.!?。！？]{0,3}(?:切|煮|整餸|削))",
    ),
    _r(_VIO, r"家暴|家庭暴力", media_sensitive=True),
    # --- broadened violence ---
    _r(
        _VIO,
        r"\b(?:guy|man|men|person|someone|somebody|stranger|woman|people|gang) with (?:a |an )?(?:knife|"
        r"gun|machete|weapon|cleaver|chopper|knives|guns|bat|hammer)\b(?=[^.!?]{0,30}\b(?:in|outside|at|"
        r"near) (?:my|our|the) (?:building|flat|house|home|door|lobby|estate|block|street|stairwell|"
        r"lift|corridor|window|gate)\b|[^.!?]{0,30}\b(?:coming|chasing|threatening|attacking|after me|"
        r"after us|here|following)\b)",
    ),
    _r(
        _VIO,
        r"\b(?:" + _AGENT[3:-1] + r") (?:\w+ ){1,6}?(?:and|now) (?:is |are |keeps |has been |just |he is |she is |"
        r"they are )?(?:threatening|hitting|beating|choking|strangling|attacking|stabbing|punching|kicking|"
        r"slapping) (?:me|us)\b",
    ),
    _r(
        _VIO,
        r"\b(?:" + _AGENT[3:-1] + r"|a (?:man|guy|stranger|car)|some (?:guy|man|men|guys)) (?:is |are |was |"
        r"has been |have been |keeps |kept |just )?(?:following|stalking|chasing) (?:me|us)\b(?! (?:on|back|"
        r"around on) (?:ig|instagram|twitter|x|tiktok|facebook|fb))|"
        r"\b(?:" + _AGENT[3:-1] + r"|a (?:man|guy|stranger)) (?:is |are |was )?(?:outside|at (?:my|the|our) "
        r"(?:door|gate|flat|window)|downstairs|in (?:my|the|our) (?:house|flat|building|room))\b[^.!?]{0,25}"
        r"\b(?:knife|gun|machete|weapon|cleaver|chopper|bat|hammer|screaming|threatening)\b|"
        r"\b(?:he|she|they|someone|somebody|the (?:guy|man)) (?:has|have|had|is holding|are holding) (?:got )?"
        r"(?:a|his|her|the) (?:knife|gun|machete|cleaver|chopper|weapon)\b",
    ),
    _r(
        _VIO,
        r"\b(?:grabbed|held|holding|grabbing|pinned) me (?:by the (?:throat|neck|hair)|down|against)\b|"
        r"\b(?:his|her|their) hands? (?:around|round|on) my (?:throat|neck)\b|\b(?:pushed|shoved|threw|"
        r"thrown|dragged|kicked|slammed) me (?:down|into|against|across|out of|off|to the (?:floor|ground)|"
        r"on the (?:floor|ground))\b(?! (?:joining|doing|going|it|this|that|signing|taking|coming|rehab|"
        r"treatment|recovery|group|a|the idea))|\blocked me (?:in|inside|up)\b|\b" + _AGENT + r" (?:\w+ )"
        r"{0,2}?(?:beat|beats|beating|beaten) (?:me|us) up\b|\b" + _AGENT + r" (?:is |are |keeps |kept |has "
        r"been |have been |was |were |just |always |often |still )?(?:hitting|beating|punching|kicking|"
        r"choking|strangling|attacking|stabbing|abusing|raping|slapping|strangled|choked|punched|kicked|"
        r"beat|hit|slapped|stabbed|attacked|abused|raped|beats|hits|abuses|chokes|kicks|punches|slaps) "
        r"(?:her|him|my (?:mum|mom|mother|sister|brother|friend|gf|girlfriend|wife|kids?|children|son|"
        r"daughter|baby))\b(?! (?:at|in|to|by|up the|with (?:a |an |the )?(?:\w+ )?(?:ideas?|questions?|"
        r"texts?|messages?|jokes?)))",
    ),
    _r(
        _VIO,
        _ZH_AGENT + r"[^,.!?。！？]{0,6}?(?:郁手|動手)(?!整|做|煮|執|搬|寫|砌|幫)|跟蹤我|一路跟住我|"
        r"鎖(?:咗|住|左)我(?:喺|入)?|(?:箍|揸|捏|掐|扼|勒)(?:住|實|咗)?我(?:條)?頸|推(?:跌|倒)我|推我落|"
        r"同歸於盡|(?:打|揼|踢|斬|劈|捅)(?:到|得)我[^,.!?。！？]{0,4}?(?:流血|瘀|入院|傷|爆|骨折|腫|暈|周身)|"
        r"我[^,.!?。！？]{0,4}?(?:想|要|準備|打算|即刻)(?:去)?(?:攞|拎|揸|帶)(?:把|住|埋|定)?(?:刀|槍|鐵通|武器)"
        r"(?:去)?(?:搵|斬|劈|插|捅|殺|劏)",
    ),
    # ---------------- medical ----------------
    _r(
        _MED,
        r"\bchest (?:really |so |very |is really |is so )?(?:pains?|hurts?|is (?:hurting|tight|killing me|on fire|burning|crushing)|"
        r"feels (?:tight|heavy|like)|tightness|pressure)\b|\b(?:pain|tightness|pressure) in my "
        r"chest\b|\bmy chest (?:hurts|is hurting|feels)\b|\b(?:having|is having|am having|think i am "
        r"having|just had) a (?:heart attack|stroke)\b",
    ),
    _r(
        _MED,
        r"\b(?:having|had|have|has|is having|am having|just had|keep having|keeps having|started "
        r"having|a|another) (?:a )?(?:withdrawal |grand mal |full |epileptic )?(?:seizures?|fits|"
        r"epileptic fit)\b(?! (?:meds?|medication|medicine|disorder|history|free|tablets|of))|"
        r"\b(?:is|are|am|started|keeps|keep|he is|she is) (?:seizing|convulsing)\b|"
        r"\bconvulsions?\b|\bdelirium tremens\b|\b(?:the )?dts\b|\bfoaming at the mouth\b|"
        r"\bfitting on the (?:floor|ground)\b",
        escalate_with_drugs=True,
    ),
    _r(
        _MED,
        r"\b(?:seeing|hearing) (?:things|bugs|spiders|insects|shadows|voices|people|stuff)"
        r"(?: that (?:are not|is not|were not) there| nobody else| no one else)\b|"
        r"\b(?:seeing|hearing) (?:things|bugs|spiders|insects|voices)\b(?! (?:differently|clearly|"
        r"more|in a|from|like that|about))|\bhallucinat(?:ing|ions?|e|ed)\b|\bbugs (?:crawling|"
        r"under my skin|on my skin)\b",
        media_sensitive=True,
    ),
    _r(
        _MED,
        r"\b(?:can not|could not|can barely|struggling to|hard to|trouble|difficulty|unable to) "
        r"(?:breathe|breathing|catch my breath|get (?:my )?breath)\b|\bshort(?:ness)? of breath\b|"
        r"\bbreathing (?:is )?(?:difficult|hard|weird|shallow)\b",
        post_exclude=r"^[^.!?]{0,40}(?:laugh|lol|lmao|haha|😂|🤣)",
        escalate_with_drugs=True,
    ),
    _r(
        _MED,
        r"\b(?:passed out|passing out|(?:going|about) to (?:pass out|faint|collapse)|fainted|"
        r"fainting|(?:i|we|" + _THIRD[3:] + r" (?:just |has |have )?(?:collapsed|collapsing)|"
        r"unconscious|lost consciousness|losing consciousness|keep blacking out)\b(?! (?:on|onto|into|in) (?:the |my |a )?(?:bed|couch|sofa)| (?:flyers|"
        r"leaflets|papers|pamphlets|food|cards|drunk)| bias| (?:from|of|with) (?:boredom|"
        r"exhaustion|tiredness|hunger|happiness|excitement|laughing|laughter))",
        escalate_with_drugs=True,
        pre_exclude=r"\b(?:until|till|til|could|nearly|almost|practically)(?: \w+){0,2} $",
    ),
    _r(
        _MED,
        r"\b(?:vomiting|throwing up|threw up|puking|puked|coughing up|coughed up|spitting up|"
        r"spat up|vomited|peeing|pooping) (?:\w+ )?blood\b|\bblood in my (?:vomit|sick|puke)\b|"
        r"\b(?:vomit|puke|sick) (?:is|has) (?:full of )?blood\b|\b(?:bleeding|blood) (?:a lot|"
        r"heavily|badly|everywhere|so much|will not stop|is not stopping)\b|\bcan not stop (?:the )?"
        r"bleeding\b|\bwill not stop bleeding\b",
    ),
    _r(
        _MED,
        r"\b(?:think|feel like|feels like|scared|afraid) (?:i am|i am going to|i might|he is|she is|"
        r"they are) (?:be )?(?:dying|die)\b(?! (?:to|for|of (?:laughter|boredom|embarrassment)|laughing|inside))|"
        r"\b(?:need|call|calling|called|get|send) (?:an |a )?ambulance\b|\bcall 999\b",
    ),
    _r(
        _MED,
        r"(?:心口|胸口)(?:好|勁|非常|突然|一直|有啲|真係|成日)?(?:痛|翳|劇痛|揪住|壓住|好似有嘢壓住)|胸痛|"
        r"心絞痛|心臟病(?:發)?|心臟(?:好)?痛|(?:發)?羊吊|癲癇|(?:全身|成身|成個人|突然|不停|停唔到|佢|"
        r"戒斷|手腳)抽筋|抽筋(?:唔停|停唔到|好耐)|口吐白沫|抽搐|中風|休克|(?:叫|call|打) ?(?:咗|左)?(?:白車|"
        r"救護車|999)",
        sentence_exclude=r"食滯|胃氣|消化不良|胃酸|心情|唔開心|傷心|分手|掛住",
    ),
    _r(
        _MED,
        r"口吐白沫|抽搐|(?:全身|成身|成個人|佢)(?:不停)?抽筋(?:唔停|停唔到)?|(?:發)?羊吊",
        escalate_with_drugs=True,
    ),
    _r(
        _MED,
        r"(?:唞|抖|透|吸|呼|喘)唔(?:到|切|過)(?:氣)?|呼吸困難|呼吸唔到|冇辦法呼吸|好難呼吸|喘唔過氣",
        post_exclude=r"^[^,.!?。！？]{0,6}(?:笑|哈)",
        pre_exclude=r"(?:(?:笑|跑|行|做|運動|唱|游|爬|攰|嬲|激|喊|咳)(?:到|得)|(?:壓力|忙|功課|工作|悶|迫|逼|"
        r"跑完|跑步|做完|運動|行完|游完|爬完|行山)[^,.!?。！？]{0,6})$",
        escalate_with_drugs=True,
    ),
    _r(
        _MED,
        r"(?<!頭)(?<!聽到都)(?<!睇到都)暈(?:咗|左|低|倒|迷)|昏迷|昏倒|不省人事|失去知覺|冇咗?知覺",
        escalate_with_drugs=True,
    ),
    _r(
        _MED,
        r"(?:吐|嘔|咳|屙)(?:咗|左|出|緊)?(?:好多|啲|大量)?血|幻覺|幻聽|幻象|"
        r"見到(?:啲)?(?:唔存在|冇|奇怪|唔應該有)(?:嘅)?(?:嘢|人|蟲)|(?:有|好多)蟲(?:喺|係)?"
        r"(?:身上|皮膚)",
    ),
    # --- broadened medical ---
    _r(
        _MED,
        _THIRD + r" (?:\w+ ){0,5}?(?:will not|can not|would not|does not) stop (?:shaking|fitting|seizing|"
        r"convulsing|jerking|twitching)\b",
        escalate_with_drugs=True,
    ),
    _r(
        _MED,
        r"\b(?:my |his |her )?left arm (?:is |feels |has gone |went )?(?:numb|tingling|heavy|dead)\b|"
        r"\b(?:face|mouth) (?:is |has )?(?:drooping|droopy|gone droopy|lopsided)\b|\bone side of (?:my|"
        r"his|her) (?:face|body) (?:is |has gone |went |feels )?(?:numb|droopy|drooping|weak|paraly[sz]ed|"
        r"dead)\b|\b(?:can not|could not) (?:lift|move|feel) (?:my|his|her) (?:left |right )?(?:arm|leg|"
        r"arms|legs|face|side)\b|\bslurring (?:my|his|her) (?:words|speech)\b|\b(?:speech|words) "
        r"(?:is |are )?slurred\b|\bthroat (?:is )?(?:closing|closing up|swelling|swollen shut)\b|"
        r"\banaphyla\w+\b",
        escalate_with_drugs=True,
    ),
    _r(
        _MED,
        _THIRD + r" (?:is |are |was |were |has been |just |is just |went |has gone |is still |still )?"
        r"(?:not responding|unresponsive|non[- ]?responsive|not moving|not reacting|out cold|limp|floppy|"
        r"gone limp)\b",
        escalate_with_drugs=True,
        post_exclude=r"^ (?:to (?:my |your |his |her |the |any |our |me|us)|out\b|in\b|into|house|flat|home|"
        r"away|back|on\b|forward|ahead|about|with)",
        sentence_exclude=_MESSAGE_REPLY_RE,
    ),
    _r(
        _MED,
        r"\b(?:confused|confusion|does not (?:know|recognise|recognize) (?:where|who|me)|not making sense|"
        r"talking nonsense|seeing (?:people|things|stuff|animals)|hearing (?:voices|things|people)|"
        r"shaking (?:all over|uncontrollably|violently)|can not stop shaking)\b",
        requires=_WITHDRAWAL_RE,
        media_sensitive=True,
    ),
    _r(
        _MED,
        r"幻覺|幻聽|見到(?:有)?(?:人|嘢|蟲|鬼|啲)|聽到(?:有)?(?:人|聲)|亂講嘢|神志不清|神智不清|唔認得(?:人|我)|"
        r"認唔到人|全身震(?:到停唔到|唔停)|成身震(?:到停唔到|唔停)",
        requires=_WITHDRAWAL_RE,
        media_sensitive=True,
    ),
    _r(
        _MED,
        r"左手(?:臂)?(?:好|突然)?(?:麻|痺|冇力|冇感覺|郁唔到)|半邊(?:身|面|身體)(?:好|突然)?(?:麻|痺|冇力|"
        r"郁唔到|冇感覺)|(?:塊面|個嘴|把口)(?:突然)?(?:歪|一邊)|口齒不清|講嘢(?:好)?(?:含糊|唔清|黐脷)|"
        r"手腳(?:突然)?(?:麻痺|冇力|郁唔到)|喉嚨(?:好)?(?:腫|收窄|塞住)|敏感(?:休克|到唞唔到氣)",
        escalate_with_drugs=True,
    ),
)


# ---------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------


class _Scan:
    """Lazily computed, per-message context shared by every rule match."""

    __slots__ = ("text", "_phase_starts", "_phase_past", "_recovery", "_drugs", "_sent_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._phase_starts: list[int] | None = None
        self._phase_past: list[int] = []
        self._recovery: bool | None = None
        self._drugs: bool | None = None
        self._sent_starts: list[int] | None = None

    def _recovery_cue(self) -> bool:
        if self._recovery is None:
            self._recovery = _RECOVERY_RE.search(self.text) is not None
        return self._recovery

    def drug_context(self) -> bool:
        if self._drugs is None:
            self._drugs = (
                _DRUG_CONTEXT_RE.search(self.text) is not None
                and _WITHDRAWAL_RE.search(self.text) is None
            )
        return self._drugs

    def _phases(self) -> None:
        starts = [0]
        for m in _PHASE_RESET_RE.finditer(self.text):
            starts.append(m.start())
        starts.append(len(self.text))
        past = []
        for a, b in zip(starts, starts[1:], strict=False):
            chunk = self.text[a:b]
            if _PAST_STRONG_RE.search(chunk):
                past.append(2)
            elif _PAST_WEAK_RE.search(chunk):
                past.append(1)
            else:
                past.append(0)
        self._phase_starts = starts
        self._phase_past = past

    def is_past(self, pos: int) -> bool:
        if self._phase_starts is None:
            self._phases()
        assert self._phase_starts is not None
        idx = min(bisect_right(self._phase_starts, pos) - 1, len(self._phase_past) - 1)
        level = self._phase_past[max(idx, 0)]
        return level == 2 or (level == 1 and self._recovery_cue())

    def sentence(self, start: int, end: int) -> str:
        if self._sent_starts is None:
            self._sent_starts = [0] + [m.end() for m in _SENTENCE_RE.finditer(self.text)]
        i = bisect_right(self._sent_starts, start) - 1
        a = self._sent_starts[max(i, 0)]
        m = _SENTENCE_RE.search(self.text, end)
        return self.text[a : m.start() if m else len(self.text)]

    def negated(self, start: int) -> bool:
        pre = self.text[max(0, start - 60) : start]
        cut = _CLAUSE_CUT_RE.match(pre)
        if cut:
            pre = pre[cut.end() :]
        return bool(_EN_NEG_RE.search(pre) or _ZH_NEG_RE.search(pre))


def _fires(rule: _Rule, m: re.Match[str], scan: _Scan) -> bool:
    s, e = m.span()
    text = scan.text
    if rule.pre_exclude is not None and rule.pre_exclude.search(text[max(0, s - 40) : s]):
        return False
    if rule.post_exclude is not None and rule.post_exclude.search(text[e : e + 60]):
        return False
    if rule.requires is not None and rule.requires.search(text) is None:
        return False
    if rule.negatable and scan.negated(s):
        return False
    if rule.media_sensitive or rule.sentence_exclude is not None:
        sentence = scan.sentence(s, e)
        if rule.media_sensitive and _MEDIA_RE.search(sentence):
            return False
        if rule.sentence_exclude is not None and rule.sentence_exclude.search(sentence):
            return False
    return not (rule.pastable and scan.is_past(s))


def _revived(scan: _Scan) -> CrisisKind | None:
    text = scan.text
    for m in _REVIVAL_RE.finditer(text):
        if _REVIVAL_NEG_RE.search(text[max(0, m.start() - 25) : m.start()]):
            continue
        for kind, topic in _TOPIC_RES:
            if topic.search(text):
                return kind
    return None


def detect_crisis(text: str, lang: str | None = None) -> CrisisResult:
    """Classify one chat message; ``lang`` is accepted as a hint but both rule sets always
    run, because Hong Kong users code-switch mid-sentence."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    elif not isinstance(text, str):
        return _NOT_CRISIS
    norm = _normalise(text)
    if not norm:
        return _NOT_CRISIS
    scan = _Scan(norm)
    skip = "" if _LATIN_RE.search(norm) else "en"
    if not _CJK_CHAR_RE.search(norm):
        if skip:
            return _NOT_CRISIS
        skip = "zh"
    found: set[CrisisKind] = set()
    for rule in _RULES:
        if rule.script == skip or (rule.kind in found and not rule.escalate_with_drugs):
            continue
        if not _can_match(rule.need, norm):
            continue
        for m in rule.pattern.finditer(norm):
            if _fires(rule, m, scan):
                kind = rule.kind
                if rule.escalate_with_drugs and scan.drug_context():
                    kind = CrisisKind.OVERDOSE
                found.add(kind)
                break
        if CrisisKind.OVERDOSE in found:
            break
    if not found:
        revived = _revived(scan)
        if revived is not None:
            found.add(revived)
    for kind in _PRIORITY:
        if kind in found:
            return CrisisResult(True, kind)
    return _NOT_CRISIS
