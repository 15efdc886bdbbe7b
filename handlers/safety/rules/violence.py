"""Violence: threats and harm from or towards others."""

from __future__ import annotations

from handlers.safety.rules.base import (
    _AGENT,
    _HARM_VERB,
    _PERSON_OBJ,
    _VICTIM,
    _VIO,
    _ZH_AGENT,
    _ZH_GAP,
    _ZH_ZO,
    _r,
    _Rule,
)

RULES: tuple[_Rule, ...] = (
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
)
