"""Promotional lines inside or after an article: teasers, sign-ups, ads, share bars, copyright.

They are short and formulaic, so patterns catch them where topic or language models cannot (a
teaser quotes a headline in the article's own language). The lead phrases cover the corpus
languages (en, ru, el, pl, zh, pt, de, id, it, ko, ja) plus es and fr; everything else is structure
(a label then a colon, a line made only of network names, a copyright sign), never a site's markup.
"""

from __future__ import annotations

import re

from transforms.boilerplate import LIST_ITEM
from transforms.language import word_count

MAX_TEASER_WORDS = 30
MAX_HEADER_WORDS = 5  # a label plus a headline; a longer paragraph is prose that mentions one

# Labels that introduce a link to another article.
# fmt: off
_LEADS = [
    # en
    r"read (?:more|also|next|this)", r"also read", r"see also", r"related(?: articles?| stories| story| coverage| news| content| links?| reading)?",
    r"more (?:on this|from|about|stories|news|coverage|like this)", r"recommended(?: for you)?", r"don'?t miss",
    r"you (?:may|might) (?:also )?(?:like|be interested)", r"further reading", r"continue reading", r"must read", r"top stories",
    r"editor'?s picks?", r"trending(?: now)?", r"popular(?: now| stories)?", r"watch(?: now)?", r"listen", r"click here",
    # ru
    r"читайте (?:также|тоже|ещё|еще|далее)", r"читай(?:те)? также", r"смотрите (?:также|тоже)", r"см\. также", r"читать (?:далее|также)",
    r"по теме",
    r"статьи по теме", r"(?:новости|ещё|еще|материалы) по теме", r"подробнее", r"рекомендуем", r"популярное", r"реклама",
    # el
    r"διαβάστε (?:επίσης|ακόμα|ακόμη|περισσότερα|εδώ)", r"δείτε (?:επίσης|ακόμα|ακόμη|εδώ)", r"σχετικ(?:ά|ό) (?:άρθρα|άρθρο|θέματα)",
    r"περισσότερα", r"διαφήμιση",
    # pl
    r"czytaj (?:też|także|również|więcej|dalej)", r"zobacz (?:też|także|również|więcej)", r"przeczytaj (?:też|także|również)",
    r"polecamy",
    r"warto przeczytać", r"więcej", r"powiązane(?: artykuły)?", r"reklama",
    # zh
    r"相[关關](?:阅读|閱讀|新[闻聞]|[报報]道|[链鏈]接|文章)", r"延伸[阅閱][读讀]", r"推[荐薦][阅閱][读讀]", r"更多(?:[阅閱][读讀]|精彩|新[闻聞])",
    r"[阅閱][读讀](?:更多|全文)", r"点击(?:查看|阅读)", r"點擊(?:查看|閱讀)", r"广告", r"廣告",
    # pt
    r"leia (?:mais|também|ainda)", r"veja (?:também|mais)", r"saiba mais", r"confira(?: também)?", r"relacionad[ao]s?", r"publicidade",
    # de
    r"lesen sie (?:auch|mehr|hier)", r"mehr zum thema", r"auch interessant", r"das könnte sie (?:auch )?interessieren", r"weiterlesen",
    r"mehr lesen", r"siehe auch", r"anzeige", r"werbung",
    # id
    r"baca (?:juga|selengkapnya|pula)", r"lihat (?:juga|selengkapnya)", r"simak (?:juga|selengkapnya)", r"(?:artikel|berita) terkait", r"iklan",
    # it
    r"leggi (?:anche|di più|tutto|altro)", r"vedi anche", r"per approfondire", r"potrebbe interessarti", r"articoli correlati",
    r"pubblicità",
    # ko
    r"관련 ?기사", r"관련 ?뉴스", r"더 ?보기", r"추천 ?기사", r"함께 (?:보면 좋은|볼만한) 기사", r"광고",
    # ja
    r"関連記事", r"関連ニュース", r"(?:あわせて|合わせて)読みたい", r"続きを読む", r"もっと見る", r"広告",
    # es, fr (frequent in inserted wire copy)
    r"lea también", r"lee también", r"leer más", r"ver también", r"te puede interesar", r"publicidad",
    r"(?:à )?lire aussi", r"voir aussi", r"publicité",
]
_AD_LABEL = re.compile(
    r"^\W*(?:advertisement|реклама|διαφήμιση|reklama|广告|廣告|publicidade|anzeige|werbung|iklan"
    r"|pubblicità|광고|広告|publicidad|publicité)\W*$",
    re.IGNORECASE,
)
_OPEN = r"^[\s\[\(\{«<>»*•►▶→■□·|–—-]*"
# The label ends in a colon, an arrow, a bracket or the line; not in a dash, which in dialogue
# ("- Więcej - dodał") is speech, not a label.
_LEAD = re.compile(_OPEN + r"(?:" + "|".join(_LEADS) + r")(?:\s*[:：>»|]+|\s*[\]\)]|\W*$)", re.IGNORECASE)

# Calls to act that are not about the story.
_SIGNUP = re.compile(
    _OPEN + r"(?:sign up|subscribe|follow us|join us on|get (?:our|the) \w+ newsletter|download (?:our|the) app|share (?:this|on)"
    r"|подпис(?:ывайтесь|ывайся|аться|итесь)|присоединяйтесь|εγγραφείτε|ακολουθήστε (?:μας|το)|zapisz się|subskrybuj|obserwuj nas"
    r"|inscreva-se|assine|siga-nos|abonnieren sie|melden sie sich|folgen sie uns|berlangganan|ikuti kami|iscriviti|seguici"
    r"|구독|購読|订阅|訂閱|关注我们|關注我們|suscríbete|abonnez-vous)\b",
    re.IGNORECASE,
)
_NETWORKS = {
    "facebook", "twitter", "x", "linkedin", "whatsapp", "telegram", "email", "e", "mail", "print", "pinterest", "reddit", "vk",
    "vkontakte", "ok", "odnoklassniki", "weibo", "wechat", "line", "kakao", "kakaotalk", "share", "tweet", "google", "messenger",
    "flipboard", "tumblr", "copy", "link", "sms", "instagram", "youtube", "rss", "mastodon", "threads", "bluesky",
}
# fmt: on
_WORD = re.compile(r"\w+")
_COPYRIGHT_LINE = re.compile(r"^[\s|]*(?:©|\(c\)\s*\d{4}|copyright\b)", re.IGNORECASE)
_RESERVED = re.compile(
    r"all rights reserved|все права (?:защищены|сохранены)|wszelkie prawa zastrzeżone"
    r"|με την επιφύλαξη παντός δικαιώματος|版[权權]所有|todos os direitos reservados|alle rechte vorbehalten|hak cipta"
    r"|tutti i diritti riservati|무단 ?전재|無断転載|derechos reservados|tous droits réservés",
    re.IGNORECASE,
)


def related_header(paragraph: str) -> bool:
    """A bare "Related" / "Читайте также" / "相关新闻" line: the header of a link block (not an ad
    label, which sits alone in mid-article)."""
    match = _LEAD.match(paragraph)
    return (
        match is not None
        and not paragraph[match.end() :].strip()
        and not _AD_LABEL.match(paragraph)
        and word_count(paragraph) <= MAX_HEADER_WORDS
    )


def promo_reason(paragraph: str) -> str | None:
    """Why a paragraph is promotional ("teaser", "signup", "share", "copyright"), or None."""
    words = word_count(paragraph)
    if words > MAX_TEASER_WORDS:
        return None
    if _LEAD.match(paragraph):
        return "teaser"
    if _SIGNUP.match(paragraph) and not LIST_ITEM.match(paragraph):
        return "signup"  # a list item saying "sign up for X" is usually an instruction of the story
    tokens = _WORD.findall(paragraph.lower())
    if tokens and all(t in _NETWORKS for t in tokens) and len(tokens) >= 2:
        return "share"
    if _COPYRIGHT_LINE.match(paragraph) or _RESERVED.search(paragraph):
        return "copyright"  # a © mid-sentence is a photo credit inside a genuine caption
    return None
