"""Overdose: too much taken, dangerous mixes, someone not breathing or not waking."""

from __future__ import annotations

from handlers.safety.rules.base import (
    _ALCOHOL,
    _DEPRESSANT,
    _DRUG_EN,
    _DRUG_USE_RE,
    _INGEST,
    _MANY,
    _MESSAGE_REPLY_RE,
    _OD,
    _QUESTION_TAIL,
    _THIRD,
    _ZH_AGENT,
    _ZH_MANY,
    _ZH_ZO,
    _r,
    _Rule,
)

RULES: tuple[_Rule, ...] = (
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
)
