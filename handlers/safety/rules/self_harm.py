"""Self-harm: cutting, burning, hitting oneself, now or about to."""

from __future__ import annotations

from handlers.safety.rules.base import (
    _ACCIDENT_RE,
    _HARM,
    _ZH_ZO,
    _r,
    _Rule,
)

RULES: tuple[_Rule, ...] = (
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
)
