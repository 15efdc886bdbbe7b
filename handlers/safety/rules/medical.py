"""Medical emergencies: withdrawal seizures, chest pain, collapse, stroke signs."""

from __future__ import annotations

from handlers.safety.rules.base import (
    _MED,
    _MESSAGE_REPLY_RE,
    _THIRD,
    _WITHDRAWAL_RE,
    _r,
    _Rule,
)

RULES: tuple[_Rule, ...] = (
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
