"""Rule-based crisis detection for English and Cantonese/Traditional Chinese chat messages."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from enum import StrEnum

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
    "烫燙墙牆绞絞痉痙挛攣呕嘔蓝藍帮幫报報殴毆骚騷扰擾给給与與么麼够夠让讓疯瘋烦煩郁鬱虑慮"
    "独獨绝絕撑撐弃棄着著几幾颗顆应應该該记記连連长長实實毕畢厌厭压壓吸吸颤顫抖抖"
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

_EN_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
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
        (r"\b(you|we|they)'?re\b", r"\1 are"),
        (r"\b(he|she|they|you|we)'ll\b", r"\1 will"),
        (r"\b(he|she|they|you|we)'d\b", r"\1 would"),
        (r"\b(you|we|they|would|could|should|must)'ve\b", r"\1 have"),
        (r"\bwanna\b", "want to"),
        (r"\bgonna\b", "going to"),
        (r"\bgotta\b", "got to"),
        (r"\btryna\b", "trying to"),
        (r"\bkms\b", "kill myself"),
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
    if re.search(r"[a-z]", text):
        for pattern, repl in _EN_REWRITES:
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
    r"something|a|the|had|let|myself|am|was|done|currently|suicidal|self))*\s*$"
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
    r"\bas a (?:kid|child|teen|teenager)\b|\bin (?:19|20)\d\d\b|"
    r"以前|以往|從前|年前|個月前|幾年前|當年|舊年|上年|去年|細個|讀書(?:嗰陣|時)|未戒|戒(?:毒|酒)之前|過去"
)
# Ambiguous recency; only treated as history when the message also signals recovery.
_PAST_WEAK_RE = re.compile(
    r"\b(?:before|once|previously|weeks? ago|last (?:week|month)|a while (?:ago|back)|"
    r"at one point|at my lowest)\b|之前|曾經|試過|上個月|上星期|上個禮拜|嗰陣|嗰時|當時"
)
_RECOVERY_RE = re.compile(
    r"\b(?:now|better|clean|sober|recovery|recovered|okay|ok|fine|doing well|grateful|thankful|"
    r"glad|since then|why i am here|why i am in|survived|not anymore|no longer|have not|"
    r"never again|proud|healing|safe)\b|好咗|好返|好番|康復|戒咗|戒左|冇再|無再|已經冇|唔再|穩定|"
    r"感恩|而家|所以嚟"
)
# Urges returning in the present override a past-tense mention ("used to cut, want to again").
_REVIVAL_RE = re.compile(
    r"\b(?:want|wanting|urges?|tempted|going|thinking about|thinking of|feel like|plan|planning|"
    r"need)\b(?: to)?(?: (?!use\b|drink|using|drinking|smoke|smoking|gamble|go\b|see\b|call\b)"
    r"\w+){0,3} again\b|"
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
    r"講座|新聞|電影|套戲|劇集|書|文章|課程|小組|分享會|討論|講解|宣傳|關注|防止|預防|熱線|訓練|"
    r"工作坊|報道|報導"
)
_DRUG_CONTEXT_RE = re.compile(
    r"\b(?:after|since) (?:using|taking|shooting|smoking|drinking|snorting|injecting|he used|"
    r"she used|they used|he took|she took|they took)\b|\b(?:shot up|shooting up|overdos\w*|heroin|"
    r"fentanyl|opioids?|opiates?|oxy\w*|xanax|benzos?|methadone|morphine|pills|tablets|downers|"
    r"ghb|ketamine|ket|meth|crystal|ice|crack|coke|cocaine|drugs|dope|gear|high|wasted|"
    r"drunk|smack|needle)\b|"
    r"藥|毒|白粉|冰|k仔|海洛英|芬太尼|啪|索|打針|注射|飲(?:咗|左)?(?:好多)?酒|飲醉|飲大咗|high"
)

_ACCIDENT_RE = re.compile(
    r"\baccident(?:al|ally)?\b|\bby mistake\b|\b(?:shaving|cooking|chopping|slicing|ironing|"
    r"gardening|at the gym|lifting|working out|running|playing|fell|fall|falling|slipped|tripped|"
    r"stove|oven|kettle|pan|iron|kitchen|knife while|paper cut|onions?|football|basketball|"
    r"soccer|exercise)\b|切菜|煮飯|煮嘢|整嘢食|唔小心|唔覺意|意外|刮鬍|剃鬚|執嘢|跌親|跌倒|做運動"
)
_MESSAGE_REPLY_RE = re.compile(r"訊息|短訊|message|msg|whatsapp|wts|電話|覆|回覆|留言|send|ig|signal")


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


def _r(kind: CrisisKind, pattern: str, **kw: object) -> _Rule:
    for key in ("pre_exclude", "post_exclude", "sentence_exclude"):
        if isinstance(kw.get(key), str):
            kw[key] = re.compile(kw[key])  # type: ignore[arg-type]
    return _Rule(kind, re.compile(pattern), **kw)  # type: ignore[arg-type]


S, H, O, M, V = (
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
    r"sister|son|daughter|uncle|dealer|landlord|flatmate|roommate|neighbou?r|family|pimp|boss))"
)
_VICTIM = r"(?:me|us|my (?:kids|children|son|daughter|family|baby|mum|mom))"
_HARM_VERB = r"(?:kill|hurt|stab|shoot|beat|attack|rape|strangle|choke|murder|hit|cut|burn)"
_PERSON_OBJ = (
    r"(?:him|her|them|someone|somebody|everyone|everybody|people|that (?:guy|man|woman|"
    r"bitch|bastard|\w+)|the (?:guy|dealer|landlord|man|woman)|my (?:partner|husband|wife|"
    r"boyfriend|girlfriend|ex|dad|father|mum|mom|mother|stepdad|brother|sister|son|daughter|"
    r"boss|dealer|landlord|neighbou?r|flatmate|roommate|sponsor|friend|family))"
)
_PILLS = (
    r"(?:pills|tablets|meds|medication|medicine|capsules|caps|xanax|valium|panadol|tylenol|"
    r"paracetamol|oxys?|oxycodone|benzos|sleeping pills|painkillers|\w+ pills)"
)
_MANY = (
    r"(?:too many|so many|way too many|a lot of " + _PILLS + r"|lots of " + _PILLS + r"|all (?:of )?"
    r"(?:my|the|his|her) " + _PILLS + r"|a (?:whole|full|entire) (?:bottle|pack|packet|box|strip|"
    r"blister|jar|tub) of|(?:a )?handful of|(?:[6-9]|\d{2,}|ten|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|a dozen|dozens of) (?:\w+ )?" + _PILLS + r")"
)

_ZH_ZO = r"(?:咗|左|了)"
_ZH_INTENT = (
    r"(?:想|要|準備|打算|諗住|諗緊|計劃|決定|會|就|寧願|不如|真係想|好想|想去|要去|諗過|想過|"
    r"已經準備)"
)
_ZH_AGENT = (
    r"(?:佢哋|佢|有人|老公|老婆|男朋友|女朋友|男友|女友|前度|前夫|前妻|阿爸|爸爸|老豆|老竇|阿媽|"
    r"媽媽|老母|哥哥|家姐|細佬|細妹|個仔|個女|債主|大耳窿|鄰居|室友|伴侶|條友|嗰條友|個男人|"
    r"個女人|班人|啲人|黑社會|毒販|拆家)"
)
_ZH_GAP = r"(?:(?!知道|發現|見到|聽到|知)[^,.!?;\s。！？；]){0,4}?"
_ZH_MANY = (
    r"(?:好多|很多|太多|成樽|成瓶|一整樽|一整瓶|成排|成盒|成包|一堆|成堆|幾十|"
    r"[一二兩三四五六七八九]?十[一二三四五六七八九]?|廿|卅|百|\d{2,})"
)

_RULES: tuple[_Rule, ...] = (
    # ---------------- overdose ----------------
    _r(O, r"\boverdos(?:ed|ing)\b", media_sensitive=True),
    _r(
        O,
        r"\b(?:having|is having|am having|going into|this is|it is|think it is|might be|could be)"
        r" (?:an? )?overdose\b",
    ),
    _r(
        O,
        r"\b(?:took|taken|take|swallowed|popped|downed|injected|snorted|used|did) " + _MANY,
    ),
    _r(
        O,
        r"\b(?:took|taken|swallowed|popped|injected|snorted|used|did|shot up) (?:way |far |a bit )?"
        r"too much\b(?! (?:time|money|of (?:my|your|his|her) time|notice|on))",
    ),
    _r(
        O,
        r"(?<!\bi am )\b(?:not|stopped|barely|hardly|stop) breathing\b|\bno (?:pulse|heartbeat)\b|"
        + _THIRD
        + r" (?:is |are |was |has |have )?(?:turning|going|gone|turned|went) (?:blue|purple|grey|gray)"
        r"\b|\b(?:lips|face|skin) (?:is |are )?(?:turning |going |gone |turned |went )?"
        r"(?:blue|purple)\b|\bblue lips\b|"
        + _THIRD
        + r" (?:is|are) unresponsive\b|\b(?:can not|could not) (?:wake|rouse|get) "
        r"(?:him|her|them|my \w+)\b|"
        + _THIRD
        + r" (?:will not|would not|does not|did not|is not) (?:wake up|waking up|respond)\b|"
        r"\b(?:can not|could not|not sure|do not know) (?:tell )?(?:if|whether) "
        r"(?:he|she|they) (?:is|are) breathing\b",
    ),
    _r(
        O,
        r"\b(?:need|give|giving|gave|given|use|used|administer|administered|where is|"
        r"where do i get|get|have you got) (?:him |her |them |some |the )?(?:naloxone|narcan)\b"
        r"(?! (?:training|course|kit|class|workshop))",
    ),
    _r(
        O,
        r"(?:食|吃|服|吞|啪|索|打|注射)" + _ZH_ZO + r"?" + _ZH_MANY + r"(?:粒|顆|片|樽|瓶|排|盒|包|劑|支)?"
        r"[^,.!?。！？]{0,4}?(?:藥|丸|安眠|止痛|k|嘢|白粉|冰|毒)",
    ),
    _r(
        O,
        r"(?:食|吃|服|吞|用|吸|打|注射|飲|啪|索)(?:藥|毒|粉|k|咗|左|了)?(?:過量|過多|超量)|"
        r"(?:藥物|毒品)過量|od" + _ZH_ZO + r"|落(?:重|多)(?:咗|左)?藥",
    ),
    _r(
        O,
        r"(?:冇|無)(?:咗|左|晒)?呼吸|停(?:咗|左)呼吸|唔識呼吸|唔係好呼吸|冇(?:咗)?脈搏|"
        r"(?:叫|拍|搖|喊)(?:極|佢|咗|左|完)*(?:都|也)?(?:唔醒|叫唔醒|冇反應|無反應)|叫唔醒|醒唔返|"
        r"(?:佢|" + _ZH_AGENT + r")[^,.!?。！？]{0,4}(?:唔識郁|郁唔到|冇反應|無反應|唔郁)|"
        r"(?:嘴唇|塊面|成個人|手指)(?:開始)?(?:變|發|都)?(?:藍|紫|黑)(?:咗|左)?",
        sentence_exclude=_MESSAGE_REPLY_RE,
    ),
    # ---------------- suicide ----------------
    _r(S, r"\bkill(?:ing)? ?myself\b|\btake my (?:own )?life\b|\bend(?:ing)? my (?:own )?life\b"),
    _r(
        S,
        r"\bend(?:ing)? (?:it all|everything|things|it)\b"
        r"(?! (?:with|between|off with)\b)(?! (?:all )?with\b)",
        pre_exclude=r"\b(?:relationship|marriage|friendship|contract|call|meeting|lease|job|"
        r"chapter|habit|drinking|using|cycle|addiction|argument|fight|affair|week|day)\b[^,.]{0,20}$",
    ),
    _r(
        S,
        r"\bsuicidal\b(?! (?:character|teens?|people|patients|clients|behaviou?r))|"
        r"\b(?:commit|committing|attempt|attempted|attempting|considering|contemplating|planning|"
        r"plan|thinking about|thinking of|thought about|thoughts? of|thoughts? about) "
        r"(?:my )?suicide\b(?! (?:prevention|awareness|hotline|helpline|line|rates?|statistics|"
        r"survivors?|bereavement|loss|squad))|\bsuicide (?:note|letter|plan|pact)\b",
        media_sensitive=False,
    ),
    _r(
        S,
        r"\b(?:want|wanted|wanting|wish|going|ready|deserve|need|hope) (?:to |i could |i would |i "
        r"can |i )?(?:just )?die+\b(?! (?:of|from) (?:embarrassment|shame|laughter|laughing|"
        r"boredom|cringe)| laughing|-| hard| for)|\b(?:i|we) (?:am|will be) better off dead\b|"
        r"\bbetter off dead\b|\bwish (?:i|i had) (?:was|were|had|would|could) ?(?:be )?"
        r"(?:dead|die|died|never been born|not born|not here|gone|disappear)\b|"
        r"\bwish i (?:was|were) never born\b|\bwant to be (?:dead|gone)\b",
    ),
    _r(
        S,
        r"\b(?:do not|did not|does not|no longer) (?:want|wish|wanna) to (?:live|be alive|exist|"
        r"be here anymore|be here any more|wake up|keep living|go on|carry on|be on this earth)\b|"
        r"\bwant to (?:stop existing|not exist|not be alive|not wake up|never wake up|sleep forever|"
        r"disappear|vanish|not be here)\b(?! for (?:a|the|some)| to (?:a|the)| on)|"
        r"\bwish i could (?:just )?(?:disappear|vanish|not wake up|sleep forever)\b|"
        r"\b(?:hope|pray) i (?:do not|never) wake up\b|\b(?:go to )?sleep and never wake up\b|"
        r"\b(?:not sure|do not know if|do not know whether) i (?:want to|can) (?:live|go on|keep "
        r"living|be alive|keep going)\b",
    ),
    _r(
        S,
        r"\bno (?:point|reason|use|purpose) (?:in |to |of )?(?:going on|living|carrying on|carry on|"
        r"keep going|keeping going|being alive|staying alive|life|existing|being here|live|"
        r"anything anymore|any of this anymore)\b|\bnothing (?:left )?to live for\b|"
        r"\b(?:tired|sick|done) (?:of|with) (?:living|being alive|life|existing|it all)\b|"
        r"\bdone living\b|\b(?:life|it) (?:is not|is no longer|isn't) worth (?:living|it anymore)\b|"
        r"\bnot worth living\b|\bwhat is the point (?:of|in) (?:living|life|going on|being alive|"
        r"anything anymore)\b|\blife is pointless\b|\bcan not (?:go on|keep going|carry on)"
        r"(?: anymore| any more| like this| living)?\b(?! (?:with|without|to|the|a|at|holiday|"
        r"trip|drinking|using|tour))",
    ),
    _r(
        S,
        r"\b(?:better off|be better|happier|be happier|be fine) without me\b|"
        r"\b(?:no one|nobody|noone) (?:would|will|is going to|gonna) (?:even )?(?:miss|notice|care "
        r"if i (?:died|was gone|disappeared)|care when i am gone|remember) (?:me|if)?|"
        r"\b(?:everyone|everybody|the world|my family|they) (?:would|will) be better (?:off )?"
        r"(?:if i (?:was|were) (?:gone|dead|not here|not around)|without me)\b",
    ),
    _r(
        S,
        r"\bgoodbye (?:letters?|notes?|messages?|videos?|texts?)\b|\bwrote (?:my |a |some )?"
        r"(?:final|last) (?:letters?|notes?|messages?)\b|\b(?:saying|said|say|to say) goodbye to "
        r"(?:everyone|everybody|all of you|the world|my (?:family|kids|children|loved ones))\b|"
        r"\bgoodbye forever\b|\bthis is (?:my )?goodbye\b|\bgiving away (?:all )?my (?:stuff|things|"
        r"belongings|possessions)\b",
        media_sensitive=True,
    ),
    _r(
        S,
        r"\bjump(?:ing|ed)? (?:off|from) (?:the |a |this |that |my |our )?(?:\w+ )?(?:building|bridge|"
        r"roof|rooftop|balcony|window|ledge|cliff|tower|flat|block|floor|top)\b|"
        r"\bjump(?:ing)? in front of (?:a |the )?(?:train|bus|car|truck|lorry|mtr)\b|"
        r"\b(?:going to|about to|want to|ready to|will) jump\b(?=\s*(?:$|[.!,]| tonight| now| right))|"
        r"\b(?:hang|hanging|hanged) myself\b|\b(?:slit|slitting|slash|slashing|cut|cutting|open|"
        r"opening) (?:my|his|her) (?:own )?wrists?\b|\bdrown(?:ing)? myself\b|"
        r"\bshoot(?:ing)? myself\b|\b(?:gun|pistol) to my head\b|\bwalk (?:out )?into traffic\b|"
        r"\b(?:saved|saving|stockpil\w+|hoard\w*|collect\w*) (?:up )?(?:all )?(?:my |enough )?"
        r"(?:" + _PILLS + r")\b|"
        r"\boverdose on purpose\b|\b(?:going to|want to|plan to|planning to|will) overdose\b|"
        r"\b(?:bought|got|have) (?:a )?rope\b(?=[^.]{0,40}\b(?:neck|hang|end|die|tonight)\b)|"
        r"\bhow many " + _PILLS + r" (?:would it take|does it take|to) (?:to )?(?:die|kill|end)\b|"
        r"\b(?:best|easiest|quickest|painless) way to (?:die|kill myself|end it)\b",
    ),
    _r(
        S,
        r"\b(?:want|wants|wanted|going|trying|tried|threatening|about|plans?|planning|talking "
        r"about|says? (?:he|she|they) (?:wants?|is going|are going)) (?:to )?kill(?:ing)? "
        r"(?:himself|herself|themselves|themself)\b",
    ),
    _r(
        S,
        r"想(?:去)?死(?!你|妳|佢|人|得|咗佢)",
        pre_exclude=r"(?:攰|累|熱|凍|餓|悶|飽|笑|忙|煩|激|嬲|臭|曬|趕|痕|眼瞓|無聊|嘈|好笑|搞笑|"
        r"緊張|肚餓|頸渴|痛|癢|曬|做|辛苦)(?:到|得)(?:好)?$",
    ),
    _r(
        S,
        _ZH_INTENT + r"(?:去)?(?:自殺|自盡|輕生|尋死|跳樓|跳海|燒炭|上吊|吊頸|割脈|割手腕|𠝹手腕|"
        r"服毒|一了百了|做傻事|了結|結束(?:自己|我)?(?:嘅|的)?(?:生命|性命))|"
        r"了結(?:自己|我自己|生命|殘生)|結束自己(?:嘅|的)?(?:生命|性命)|(?:割|𠝹|鎅|界)"
        + _ZH_ZO
        + r"?(?:手腕|脈)",
        post_exclude=r"^(?:嘅)?(?:新聞|熱線|講座|電影)",
    ),
    _r(
        S,
        r"自殺(?:嘅|的)?(?:念頭|傾向|計劃|想法)|(?:有|諗|想)(?:過|緊)?(?:自殺|輕生)(?:嘅|的)?(?:念頭|諗法)",
    ),
    _r(
        S,
        r"(?:唔|不|冇|無)(?:想|願意|願)(?:再)?(?:生存|活|活落去|活下去|做人|存在|醒|醒返|繼續(?:生存|活|"
        r"落去|做人))(?!喺|在|係|得咁)|(?:活|生存|撐|捱)(?:唔|不)(?:落|下)去|生無可戀|"
        r"(?:冇|無)(?:咩)?(?:意思|意義|理由)(?:再)?(?:活|生存|做人|活落去)|活落去(?:都)?(?:冇|無)"
        r"(?:意思|意義)|做人(?:好|都|真係)?(?:冇|無)(?:意思|意義)",
    ),
    _r(
        S,
        r"(?:冇|無)人會(?:掛住|記得|想念|懷念)我|(?:冇|無)(?:咗|左)我[^,.!?。！？]{0,6}(?:會|都會)"
        r"(?:好|開心|輕鬆)|死(?:咗|左|了)(?:佢|就)?(?:算|好過|一了百了)|死(?:咗|左|了)[^,.!?。！？]{0,6}"
        r"(?:大家|佢哋|你哋|屋企人)[^,.!?。！？]{0,4}(?:好|開心|輕鬆)",
    ),
    _r(
        S,
        r"遺書|(?:同|跟|向)(?:大家|你哋|所有人|屋企人|全世界)(?:講|說)(?:再見|拜拜|永別)|永別",
        media_sensitive=True,
    ),
    _r(
        S,
        r"(?:瞓|睡)(?:咗|著|低|着)?(?:之後)?(?:就)?(?:唔好|唔使|不要|都唔想|永遠唔|唔會|冇得|唔想)再?(?:醒|起身)|"
        r"想(?:永遠)?(?:喺|在)?(?:呢個)?(?:世界上?)?消失|"
        r"(?:幾多|多少)(?:粒|顆|片)[^,.!?。！？]{0,6}(?:會死|先會死|死得|致命)|"
        r"點(?:樣)?(?:死|自殺)(?:最|會)?(?:快|唔痛|冇痛)",
    ),
    # ---------------- self-harm ----------------
    _r(
        H,
        r"\b(?:cut|cutting|cuts|slic(?:e|ed|ing)|carv(?:e|ed|ing)) (?:into )?(?:myself|my "
        r"(?:arms?|legs?|thighs?|skin|stomach|body))\b",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(
        H,
        r"\b(?:hurt|hurting|harm|harming|burn|burning|burnt|burned|hit|hitting|punch|punching|"
        r"punched|stab|stabbing|stabbed) myself\b(?! out\b)",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(H, r"\bself[- ]?harm(?:ing|ed|s)?\b", media_sensitive=True),
    _r(
        H,
        r"\bbang(?:ing|ed)? my head (?:against|on|into)\b|"
        r"\b(?:scratch|scratched|scratching|pick|picked|picking) (?:\w+ ){0,3}(?:until|till|til|so) "
        r"(?:it|they|i) (?:bleeds?|bled|bleeding|bleed)\b",
    ),
    _r(
        H,
        r"\b(?:want|wanting|urge|urges|need|going|tempted|about|itching|desperate|trying not|"
        r"fighting the urge|resisting the urge|struggling not) to (?:cut|self[- ]?harm|hurt myself|"
        r"harm myself|burn myself)\b(?! (?:back|down|out|off|ties|corners|class|school|my hair|hair|"
        r"the|it|him|her|them|people|contact|costs|carbs|sugar|alcohol|drinking|smoking|caffeine|"
        r"loose|in|through|across|a|some|my|you|up))|"
        r"\b(?:been|started|start|keep|kept|can not stop|could not stop|relapsed on|relapsed into|"
        r"relapse on) (?:cutting|self[- ]?harming|hurting myself|burning myself)\b(?! (?:back|down|"
        r"out|off|ties|corners|class|school|my hair|hair|the|it|carbs|sugar|people))|"
        r"\b(?:thoughts?|urges?|thinking|thought) (?:about|of) (?:cutting|self[- ]?harm(?:ing)?|"
        r"hurting myself|harming myself)\b",
    ),
    _r(
        H,
        r"(?:𠝹|鎅|界|割)" + _ZH_ZO + r"?(?:緊|過|完)?(?:自己|我自己|手(?!腕|機|指|甲|袖|錶|續)|手臂|"
        r"手瓜|大髀|腳(?!甲|趾))",
        sentence_exclude=_ACCIDENT_RE,
    ),
    _r(
        H,
        r"傷害(?:我)?自己(?!(?:嘅|的)?(?:身體|健康|肝|胃))|自殘|自我傷害|自傷|"
        r"(?:燙|燒)" + _ZH_ZO + r"?(?:傷)?自己|打自己(?!嘴巴|把口|個嘴|嘴)|(?:用|攞)(?:個)?頭撞(?:牆|自己)|"
        r"(?:用|攞)(?:刀|鎅刀|刀片|剃刀|玻璃|界刀)(?:仔)?(?:𠝹|鎅|界|割)|想(?:𠝹|鎅)(?!佢|人|你|嘢|菜|開|爛)",
        sentence_exclude=_ACCIDENT_RE,
    ),
    # ---------------- violence ----------------
    _r(
        V,
        r"\b" + _AGENT + r" (?:is |are |was |has |have |keeps |kept |just )?(?:going to|trying to|"
        r"threatening to|threatened to|threatens to|wants to|will|would|said (?:he|she|they) "
        r"(?:would|will|is going to|are going to)|says (?:he|she|they) (?:will|would|is going to)|"
        r"about to|coming to|tried to) " + _HARM_VERB + r" " + _VICTIM + r"\b(?! up)",
        post_exclude=r"^[^.!?]{0,40}\b(?:if|when|once|after) (?:\w+ ){0,2}(?:finds? out|found out|"
        r"sees?|hears?|learns?|knows?|notices?|discovers?|catch(?:es)?)\b|^[^.!?]{0,3}\b(?:for|lol|"
        r"haha|lmao)\b",
    ),
    _r(
        V,
        r"\b" + _AGENT + r" (?:is |are |keeps |kept |has been |have been |was |were |just |always |"
        r"often |sometimes |still )?(?:hitting|beating|punching|kicking|choking|strangling|attacking|"
        r"stabbing|threatening|abusing|hurting|raping|slapping|strangled|choked|punched|kicked|beat|"
        r"hit|slapped|stabbed|attacked|threatened|abused|raped|beats|hits|abuses|threatens|chokes|"
        r"kicks|punches|slaps|pushed|shoved|pushes|shoves|following|stalking) " + _VICTIM + r"\b"
        r"(?! up\b| with (?:questions|texts|messages|calls))",
    ),
    _r(
        V,
        r"\b(?:pulled|pointed|waving|holding|has|had|got) (?:a|his|her|the) (?:knife|gun|machete|"
        r"blade|cleaver|chopper|weapon)\b(?=[^.]{0,30}\b(?:at|on|to|me|us|outside|door|threat|kill|"
        r"coming)\b)|\bthreaten(?:ing|ed|s)? (?:me|us) with\b",
    ),
    _r(
        V,
        r"\bi (?:am going to|will|want to|am about to|am really going to|swear i will|am tempted to|"
        r"am thinking about|am thinking of|might|feel like|need to|plan to|am planning to) "
        r"(?:really |actually |fucking |just )?(?:kill|killing|hurt|hurting|stab|stabbing|shoot|"
        r"shooting|murder|beat up|beating up|beat the \w+ out of|attack|attacking|strangle|smash|"
        r"punch|punching|hit|hitting) " + _PERSON_OBJ + r"\b",
    ),
    _r(
        V,
        r"\b(?:i|we) (?:was|were|got|have been|am being|are being|just got|have just been|was just) "
        r"(?:\w+ )?(?:attacked|assaulted|raped|stabbed|beaten(?: up)?|beat up|mugged|jumped|"
        r"threatened|abused|punched|kicked|strangled|choked|sexually assaulted)\b"
        r"(?! by (?:a |the )?(?:car|bus|taxi|bike|ball|truck|van|wave|cravings?|thoughts?))",
    ),
    _r(
        V,
        r"\bi (?:do not|did not|am not|no longer) feel safe (?:at home|here|with (?:him|her|them|my))|"
        r"\bi am not safe (?:at home|here|with)|\b(?:scared|afraid|fear|fearing|terrified) for my "
        r"(?:life|safety)\b",
    ),
    _r(V, r"\bdomestic (?:violence|abuse)\b|\bbeing abused\b", media_sensitive=True),
    _r(
        V,
        _ZH_AGENT + _ZH_GAP + r"(?:話|講|揚言|恐嚇話)?(?:要|會|想|準備|一陣|即刻)?(?:嚟|來)?"
        r"(?:殺|斬|劈|打|搞|捅|刺|揼|插|掐|箍|踢|推|虐待|毆打|恐嚇|威脅|襲擊|非禮|強姦|性侵|禁錮|追斬)"
        r"(?:死|傷|爆)?" + _ZH_ZO + r"?(?:緊|過)?(?:我|我哋|我屋企人|我個仔|我個女|我老婆|我老公)"
        r"(?!(?:個)?(?:電話|手機|電|call|機|俾|畀|比|部|嘅手機|哋電話))",
    ),
    _r(
        V,
        r"(?:被|俾|畀|比)(?:人|佢|佢哋|" + _ZH_AGENT + r")?(?:打|斬|劈|襲擊|毆打|虐待|恐嚇|威脅|非禮|"
        r"強姦|性侵|家暴|追斬|揼|斬傷|打傷|捅|刺|打劫|禁錮)(?!機|波|工|牌|電話|針|卡)",
    ),
    _r(
        V,
        r"我(?:真係|好|而家)?(?:想|要|會|準備|打算|一陣|即刻|就嚟)(?:去)?(?:殺|斬|劈|捅|刺|打死|斬死|"
        r"殺死|劈死|揼死|打|揼)(?:咗|左|死|爆|傷|柒|撚死)?(?:佢哋|佢|人|條友|嗰條友|你|嗰個|嗰班)",
    ),
    _r(
        V,
        _ZH_AGENT + r"[^,.!?。！？]{0,3}(?:拎|揸|攞|持|拿)(?:住|咗|左|起|出)?(?:把|支|枝|啲|一把)?"
        r"(?:刀|槍|鐵通|牛肉刀|西瓜刀|菜刀|鎅刀|武器)(?![^,.!?。！？]{0,3}(?:切|煮|整餸|削))",
    ),
    _r(V, r"家暴|家庭暴力", media_sensitive=True),
    # ---------------- medical ----------------
    _r(
        M,
        r"\bchest (?:pains?|hurts?|is (?:hurting|tight|killing me|on fire|burning|crushing)|"
        r"feels (?:tight|heavy|like)|tightness|pressure)\b|\b(?:pain|tightness|pressure) in my "
        r"chest\b|\bmy chest (?:hurts|is hurting|feels)\b|\b(?:having|is having|am having|think i am "
        r"having|just had) a (?:heart attack|stroke)\b|\bheart (?:is )?(?:stopping|stopped)\b",
    ),
    _r(
        M,
        r"\b(?:having|had|have|has|is having|am having|just had|keep having|keeps having|started "
        r"having|a|another) (?:a )?(?:withdrawal |grand mal |full |epileptic )?(?:seizures?|fits|"
        r"epileptic fit)\b(?! (?:meds?|medication|medicine|disorder|history|free|tablets))|"
        r"\b(?:is|are|am|started|keeps|keep|he is|she is) (?:seizing|convulsing|fitting)\b|"
        r"\bconvulsions?\b|\bdelirium tremens\b|\b(?:the )?dts\b|\bfoaming at the mouth\b",
    ),
    _r(
        M,
        r"\b(?:seeing|hearing) (?:things|bugs|spiders|insects|shadows|voices|people|stuff)"
        r"(?: that (?:are not|is not|were not) there| nobody else| no one else)\b|"
        r"\b(?:seeing|hearing) (?:things|bugs|spiders|insects|voices)\b(?! (?:differently|clearly|"
        r"more|in a|from|like that|about))|\bhallucinat(?:ing|ions?|e|ed)\b|\bbugs (?:crawling|"
        r"under my skin|on my skin)\b",
        media_sensitive=True,
    ),
    _r(
        M,
        r"\b(?:can not|could not|can barely|struggling to|hard to|trouble|difficulty|unable to) "
        r"(?:breathe|breathing|catch my breath|get (?:my )?breath)\b|\bshort(?:ness)? of breath\b|"
        r"\bbreathing (?:is )?(?:difficult|hard|weird|shallow)\b|\bi am choking\b",
        post_exclude=r"^[^.!?]{0,20}(?:laugh|lol|lmao|haha|😂|🤣)",
    ),
    _r(
        M,
        r"\b(?:passed out|passing out|(?:going|about) to (?:pass out|faint|collapse)|fainted|"
        r"fainting|collapsed|collapsing|unconscious|lost consciousness|losing consciousness|"
        r"keep blacking out)\b(?! (?:on|onto|into|in) (?:the |my |a )?(?:bed|couch|sofa)| (?:flyers|"
        r"leaflets|papers|pamphlets|food|cards|drunk)| bias)",
        escalate_with_drugs=True,
        pre_exclude=r"\b(?:until|till|til|could|nearly|almost|practically)(?: \w+){0,2} $",
    ),
    _r(
        M,
        r"\b(?:vomiting|throwing up|threw up|puking|puked|coughing up|coughed up|spitting up|"
        r"spat up|vomited|peeing|pooping) (?:\w+ )?blood\b|\bblood in my (?:vomit|sick|puke)\b|"
        r"\b(?:vomit|puke|sick) (?:is|has) (?:full of )?blood\b|\b(?:bleeding|blood) (?:a lot|"
        r"heavily|badly|everywhere|so much|will not stop|is not stopping)\b|\bcan not stop (?:the )?"
        r"bleeding\b|\bwill not stop bleeding\b",
    ),
    _r(
        M,
        r"\b(?:think|feel like|feels like|scared|afraid) (?:i am|i might be|he is|she is|they are) "
        r"dying\b(?! (?:to|for|of (?:laughter|boredom|embarrassment)|laughing|inside))|"
        r"\b(?:need|call|calling|called|get|send) (?:an |a )?ambulance\b|\bcall 999\b",
    ),
    _r(
        M,
        r"(?:心口|胸口)(?:好|勁|非常|突然|一直|有啲|真係|成日)?(?:痛|翳|劇痛|揪住|壓住|好似有嘢壓住)|胸痛|"
        r"心絞痛|心臟病(?:發)?|心臟(?:好)?痛|(?:發)?羊吊|癲癇|(?:全身|成身|成個人|突然|不停|停唔到|佢|"
        r"戒斷|手腳)抽筋|抽筋(?:唔停|停唔到|好耐)|口吐白沫|抽搐|中風|休克|(?:叫|call|打)(?:咗|左)?(?:白車|"
        r"救護車|999)",
    ),
    _r(
        M,
        r"(?:唞|抖|透|吸|呼|喘)唔(?:到|切|過)(?:氣)?|呼吸困難|呼吸唔到|冇辦法呼吸|好難呼吸|喘唔過氣",
        post_exclude=r"^[^,.!?。！？]{0,6}(?:笑|哈)",
        pre_exclude=r"笑到$",
    ),
    _r(
        M,
        r"(?<!頭)(?<!聽到都)(?<!睇到都)暈(?:咗|左|低|倒|迷)|昏迷|昏倒|不省人事|失去知覺|冇咗?知覺",
        escalate_with_drugs=True,
    ),
    _r(
        M,
        r"(?:吐|嘔|咳|屙)(?:咗|左|出|緊)?(?:好多|啲|大量)?血|幻覺|幻聽|幻象|"
        r"見到(?:啲)?(?:唔存在|冇|奇怪|唔應該有)(?:嘅)?(?:嘢|人|蟲)|(?:有|好多)蟲(?:喺|係)?"
        r"(?:身上|皮膚)",
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
            self._drugs = _DRUG_CONTEXT_RE.search(self.text) is not None
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
    found: set[CrisisKind] = set()
    for rule in _RULES:
        if rule.kind in found and not rule.escalate_with_drugs:
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
