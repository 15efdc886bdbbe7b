"""Normalisation: one spelling for quotes, scripts, repeated letters, contractions and chat slang."""

from __future__ import annotations

import re
import unicodedata

from handlers.safety.prefilter import can_match, needs

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


def normalise(text: str) -> str:
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
            if can_match(need, text):
                text = pattern.sub(repl, text)
    return _SPACE_RE.sub(" ", text).strip()

