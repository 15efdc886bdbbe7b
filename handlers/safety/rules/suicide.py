"""Suicide: intent, plans, means, wishes to die, farewells."""

from __future__ import annotations

from handlers.safety.rules.base import (
    _ALCOHOL,
    _DEPRESSANT,
    _DRUG_EN,
    _EN_WISH,
    _INGEST,
    _MANY,
    _MESSAGE_REPLY_RE,
    _OD,
    _PILLS,
    _SUI,
    _ZH_GAP,
    _ZH_INTENT,
    _ZH_WHEN,
    _ZH_ZO,
    _r,
    _Rule,
)

RULES: tuple[_Rule, ...] = (
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
)
