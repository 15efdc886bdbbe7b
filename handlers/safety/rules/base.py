"""What every rule shares: the rule record, negation/past/media context and the phrase fragments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.safety.normalisation import _CJK
from handlers.safety.prefilter import needs
from handlers.safety.types import CrisisKind

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
