"""The English promotion phrases, by signal: each a (pattern, evidence label) pair."""

from __future__ import annotations

from typing import Final

__all__ = ["ENTRIES"]

_OFFERING: Final = (
    r"(?:new |own |latest |first |youtube |yt |music |official |online |small |little |"
    r"personal |free |debut )?"
    r"(?:channel|page|website|web site|site|blog|shop|store|business|company|agency|startup|app|"
    r"product|course|book|ebook|e-book|podcast|newsletter|server|discord|services?|"
    r"brand|instagram|insta|ig|twitter|tiktok|soundcloud|etsy|videos?|vids?|songs?|mixtape|track|"
    r"album|playlist|cover|remix|beats?|mix|rap|ep|studio|consultancy|workshop|webinar|"
    r"masterclass|coaching|portfolio|merch|saas|platform|fanpage|vlog|stream|twitch|"
    r"patreon|kickstarter|indiegogo|gofundme|fundraiser|campaign|petition|offer|deals?|"
    r"program|programme|community|group|link|profile|account|music video|upload)"
)
_SUB: Final = r"(?:subscribe|suscribe|subcribe|subscibe|sub to|sub)"
ENTRIES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "engagement_bait": (
        ("sub subs", r" ?(?:4|for|2) ?subs?\b"),
        ("sub4sub sub2sub", r""),
        ("like&subscribe subscribirse suscribirse inscreva subscribete suscribete", r""),
        ("first", r" (?:subscriber|follower)s?\b"),
        ("sucscribe subscibe subscrib", r"\w*+ (?:to )?(?:me|my)\b"),
        (
            "please pls plz plzz pleas kindly",
            rf" (?:{_SUB}\b|like\b|share\b|follow\b|comment (?:and|&)|watch (?:my|this|it)|"
            r"listen (?:to )?(?:my|this|it)|view my|add me\b)",
        ),
        ("and go guys also now come", rf" {_SUB}\b"),
        ("sub", r" (?:me|my)\b"),
        ("forget", rf" to (?:{_SUB}|like|follow|share)\b"),  # "don't forget to subscribe!"
        ("follow like", r" ?(?:4|for) ?(?:follow|like)\b"),
        ("add", r" me (?:on|here|up)\b"),
        (
            "subscribe suscribe subcribe subscibe",
            r" (?:to )?(?:my|me|us|our|him|her|them|for|if|and|now|pls|please|plz|this|"
            r"the channel)\b",
        ),
        (
            "help",
            r" me (?:to )?(?:reach|get|getting|hit|make it to|get to) [\d,. k]++ ?"
            r"(?:subs|subscribers|followers|likes|views|members)",
        ),
        (
            "like",
            r" (?:this|my|if|and share|and subscribe)(?: comment| post| video)?"
            r"(?: if| so| to| for| and| pls| please)\b|(?: this)? comment\b|"
            r"(?: and| &) (?:share|sub)",
        ),
        ("give", r" (?:it|this|me|us|my \w+) an? (?:like|thumbs up|thumb up|follow|share|sub)"),
        ("thumb", r" (?:this|it) up\b"),
        (
            "share",
            r" (?:and|&) (?:subscribe|follow|like)|(?: this)? (?:with|to) (?:everyone|your)"
            r"|(?: this)? if\b|(?: this| my)? (?:video|song|post|channel|page)\b|"
            r"(?: it)? on (?:facebook|fb|twitter|instagram|whatsapp)",
        ),
        ("follow", rf" (?:me|us)\b| (?:my|our) {_OFFERING}"),
        ("turn", r" on (?:post )?notifications"),
        ("smash hit", r" (?:that|the) (?:like|bell|sub)"),
        ("tag", r" (?:a friend|your friends|someone)"),
        ("upvote retweet", r" (?:this|my|if)\b"),
    ),
    "own_offering": (
        ("my our mah mi", rf" {_OFFERING}s?\b"),
        (
            "i",
            r" (?:just )?(?:made|created|built|launched|started|run|recorded|produced|uploaded|"
            r"released|sell|offer|am selling|am launching) (?:a|an|my|our|this|the)\b|"
            r"'?m (?:a |an )?(?:\d+ year old |young |new |upcoming |up and coming |aspiring )?"
            r"(?:rapper|youtuber|singer|producer|beatmaker|vlogger|streamer)\b",
        ),
        (
            "we",
            r" (?:offer|sell|provide|are offering|are selling|just launched|launched|deliver)\b",
        ),
        (
            "im i'm",
            r" (?:a |an )?(?:\d+ year old |young |new |upcoming |aspiring )?"
            r"(?:rapper|youtuber|singer|producer|beatmaker|vlogger|streamer)\b",
        ),
    ),
    "call_to_action": (
        (
            "check",
            rf" out (?:my|our|me|us)\b| (?:me|us) out\b| (?:my|our) {_OFFERING}s?\b|"
            r" (?:out )?(?:the link|(?:this|the|these) (?:video|vid|playlist|song|"
            r"track|channel|page|site|website|app|trailer|clip|link|cover))\b",
        ),
        ("visit", r" (?:my|our|us|the link|the website|this|here|now)\b"),
        ("click", r" (?:the |on |this |my )?(?:link|here|below|above|now)"),
        ("link", r" (?:is )?in (?:my |the )?(?:bio|profile|description|comments)"),
        (
            "dm pm message inbox contact email e-mail text whatsapp ping",
            r" (?:me|us) (?:for|to (?:find out|learn|get|order|buy|join|know)|if you(?:'re| are)? "
            r"(?:interested|want)|now|today)\b",
        ),
        ("hit", r" me up"),
        ("sign signup", r" ?up (?:here|now|at|today|for|using|with)|(?: up)? (?:here|now|today)"),
        ("register enrol enroll apply", r" (?:now|here|today|at)\b"),
        ("buy", r" (?:now|it now|my|our|here|today|from me)\b"),
        ("order", r" (?:now|yours|today|here)\b"),
        ("shop", r" (?:now|at|our|my)\b"),
        ("get", r" (?:yours|your copy)\b"),
        ("grab", r" (?:your|yours|a copy|it)\b"),
        ("book", r" (?:a|your) (?:free )?(?:call|demo|session|consultation|spot|slot)"),
        ("use", r" (?:my|our) (?:code|coupon|link|referral)|(?: the)? (?:code|coupon) \w++"),
        ("download", r" (?:my|our|the app|now|it now)\b"),
        ("join", r" (?:my|our|us)\b"),
        ("come", r" (?:join|check) (?:me|us|my|our)\b"),
        ("go", r" (?:to|check) (?:my|our)\b"),
        ("type", r" in (?:my|our|\"|youtube|google)"),
        # Telling readers to look a name up ("just search X", "search up X", a message that opens
        # with "search X"): how comment spam points at a channel without a link.
        (
            "search",
            r" (?:for )?(?:my|me)\b| up\b|(?<=^ search) (?!for\b|results?\b|engine|bar\b)",
        ),
        ("just please pls plz", r" (?:do a )?(?:search(?: up)?|look up)\b(?! for\b)"),
        ("look", r" up (?:my|our|me|us)\b"),
        ("listen watch read try support", r"(?: to)? (?:my|our)\b"),
        (
            "donate",
            r" (?:(?:some|a little|what you can)(?: money)? )?"
            r"(?:to (?:my|our|us|me)|here|now|at)\b",
        ),
        ("fiverr upwork", r""),
        ("vote", r" for\b"),
        ("learn", r" more (?:at|here)\b"),
        ("info", r" (?:at|here)\b"),
    ),
    "contact_me": (
        ("dm pm inbox message whatsapp", r" (?:me|us)\b"),
        ("write", r" (?:me|us) (?:in|on|a) (?:dm|pm|private)"),
    ),
    "suggestion": (
        ("check", r" (?:it |this |these |him |her |them )?out\b|(?: this| these| him| her| it)\b"),
        ("come", r" (?:join|check)\b"),
        ("take", r" a look (?:at )?(?:this|my|our)\b"),
        ("look", r" (?:at|and) (?:this|my|share)\b"),
        ("you u y'all guys", r" (?:should|need to|must|gotta) (?:check|watch|listen|see)\b"),
    ),
    "price": (
        ("usd eur gbp dollars euros bucks quid", r""),
        ("per a", r" ?(?:month|mo|year|yr|hour|hr|session|lesson)\b"),
    ),
    "discount": (
        ("percent", r" off\b"),
        (
            "discount discounts discounted coupon coupons voucher vouchers giveaway sale earlybird "
            "bogo",
            r"",
        ),
        ("promo", r" ?codes?"),
        ("early", r" ?bird"),
        ("special", r" offer"),
        ("half", r" price"),
        (
            "free",
            r" (?:trial|shipping|gift ?cards?|iphone|robux|v-?bucks|followers|subscribers|"
            r"money|cs ?go|skins|audit|consultation|ebook|e-book|webinar|download|sample|quote)\b",
        ),
    ),
    "urgency": (
        ("today this", r" (?:only|week only)\b"),
        ("limited", r" (?:time|offer|spots|seats|stock|places)"),
        ("hurry", r""),
        ("last", r" chance"),
        ("only just", r" \d+ (?:spots|seats|left|places|copies)"),
        ("ends", r" (?:today|tonight|soon|at midnight|this)\b"),
        ("act", r" (?:now|fast)\b"),
        ("while", r" (?:stocks|supplies) last"),
        ("don't dont", r" miss (?:out|this)"),
        ("before", r" (?:it'?s|they'?re) gone"),
        ("first", r" \d+ (?:people|buyers|customers|signups)"),
    ),
    "money_scheme": (
        # Money talk is ordinary chat ("I make money teaching piano", "I earn extra on weekends",
        # "a quick cash flow question"); only a pitch's promise of how fast, how much, how easily
        # or from where counts.
        (
            "make making earn earning",
            r" (?:(?:a lot of|lots of|some|extra|easy|quick|fast|real|serious|big) )?"
            r"(?:money|cash) ++(?:fast|quick|quickly|online|today|now|guaranteed|every ?day|"
            r"while you sleep|from (?:home|your phone)|with (?:this|my|our|your phone))\b",
        ),
        (
            "make making earn earning",
            r" (?:up to |over |at least )?"
            r"(?:\$ ?\d[\d,.]*+k?|\d[\d,.]*+k? ?(?:\$|dollars|bucks|usd|euros))"
            r" ?(?:a|an|per|every|/) ?(?:day|week|month|hour|night)\b",
        ),
        ("make earn", r" (?:money|cash|\$\d+|\d+) (?:from|at) home"),
        (
            "easy quick fast",
            r" (?:money|cash) ++(?:guaranteed|for everyone|zero effort|no effort|fast|now|today|"
            r"online|from home|every ?day|while you sleep)\b",
        ),
        ("passive", r" income"),
        ("get", r" (?:rich|paid)\b"),
        ("financial", r" freedom"),
        ("crypto", r" (?:signals|trading|profits)"),
        ("forex bitcoin", r""),
        ("investment", r" opportunit"),
        ("paid", r" (?:to|for) (?:watch|surveys?)"),
        ("hack hacked", r" (?:facebook|fb|instagram|accounts?)"),
        ("free", r" (?:gift ?cards?|iphone)\b"),
    ),
}
