"""Which article URLs a site lists for a date range: feeds, sitemaps, robots.txt and archive pages.

Pure functions over response bytes (no Scrapy, no network), so every selection rule is unit-tested
without a server. Dates are the calendar dates as the publisher wrote them: a feed item stamped
``Tue, 24 Nov 2026 23:30:00 -0500`` belongs to 24 November, even though it is 25 November in UTC,
because that is the day the site itself files it under.

Selection rules (`first`..`last` inclusive):
- A dated entry is taken when its date lies in the range. For sitemap URLs the Google News
  ``news:publication_date`` is preferred over ``lastmod`` (an edit is not a publication).
- Feed entries without a usable date are taken: a feed only carries the latest items.
- Sitemap URLs without a date are taken only when the sitemap has no dated URL at all (a small
  undated sitemap of recent news); in a sitemap that dates its entries, an undated one is
  ambiguous and left out rather than pulling in the site's whole history.
- Child sitemaps of an index are skipped when their ``lastmod`` is before `first` (nothing in them
  changed since, so they cannot list the range); undated children are followed.
- An archive page of day D lists its article-like links on the source's domains under D; links to
  further pages of the same day's archive are followed, other days' archives are not.
"""

from __future__ import annotations

import email.utils
import re
import string
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree
from lxml import html as lxml_html
from protego import Protego

from newsmill.config import Source, web_address

LISTING_MAX_BYTES = 50 * 1024 * 1024
"""Size cap of one listing (feed, sitemap, robots.txt, archive page), as downloaded and once
decompressed: the sitemaps.org limit (50 MB, 50,000 URLs). Articles have their own, smaller cap."""


class ListingError(ValueError):
    """A listing document could not be read (too large after decompression, broken gzip)."""


@dataclass(frozen=True)
class Listing:
    """One URL as a listing shows it, with the date and title the listing gives."""

    url: str
    listed_date: date | None
    title: str | None = None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: article URLs (urlset) and child sitemaps (sitemapindex)."""

    urls: list[Listing] = field(default_factory=list)
    children: list[Listing] = field(default_factory=list)


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?![\d])")


def written_date(text: str | None) -> date | None:
    """The calendar date written in an ISO 8601 / W3C or RFC 822 date string, offset kept as is.

    Partial dates (``2026-11``) give None: they do not name a day.
    """
    if not text:
        return None
    match = _ISO_DAY.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, IndexError):
        return None


def in_range(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def is_http_url(url: str) -> bool:
    return web_address(url) is not None


def absolute_url(base: str, link: str) -> str | None:
    """`link` resolved against `base` when the result names a place to fetch from
    (``scheme://...``, whatever the scheme), else None: ``mailto:``, ``javascript:``, text that is
    no URL, a malformed host or port.

    Listings keep non-http locators (``file:///etc/passwd``, ``ftp://...``) so that the crawler
    refuses each with a logged reason instead of dropping it unseen.
    """
    try:
        url = urljoin(base, link.strip())
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no port
    except ValueError:
        return None
    if not parts.scheme or not url[len(parts.scheme) + 1 :].startswith("//"):
        return None
    return url


# --- feeds -------------------------------------------------------------------------------------


def parse_feed(body: bytes, base_url: str = "") -> list[Listing]:
    """Items of an RSS or Atom feed, with absolute links and the publisher's calendar date."""
    parsed = feedparser.parse(
        body,
        response_headers={"content-location": base_url} if base_url else None,
        sanitize_html=False,
    )
    if not parsed.entries and not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        raise ListingError(f"not an RSS or Atom feed ({problem})" if problem else "not an RSS or Atom feed")
    listings = []
    for entry in parsed.entries:
        url = absolute_url(base_url, entry.get("link") or "")
        if url is None:
            continue
        raw = entry.get("published") or entry.get("updated") or entry.get("created")
        day = written_date(raw)
        if day is None:  # an unusual format feedparser still understood (normalised to UTC)
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            day = date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
        title = (entry.get("title") or "").strip() or None
        listings.append(Listing(url, day, title))
    return listings


def select_feed(listings: Iterable[Listing], first: date, last: date) -> list[Listing]:
    """Feed items dated in first..last, plus undated ones (a feed only holds recent items)."""
    return [x for x in listings if x.listed_date is None or in_range(x.listed_date, first, last)]


# --- sitemaps ----------------------------------------------------------------------------------

_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, recover=True
)


_DECLARES_ENTITIES = re.compile(rb"(?s)\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<!DOCTYPE[^\[>]*\[[^\]]*<!ENTITY")
"""A DOCTYPE with entity declarations (billion laughs, external entities) before the root."""


def gunzip_capped(body: bytes, limit: int = LISTING_MAX_BYTES) -> bytes:
    """`body` decompressed when it is gzip (``.xml.gz`` sitemaps), refusing more than `limit` bytes."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise ListingError(f"broken gzip data: {exc}") from None
    if len(out) > limit:
        raise ListingError(f"gzip sitemap larger than {limit} bytes once decompressed")
    if not inflater.eof:
        raise ListingError("broken gzip data: truncated")
    return out


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child) == name:
            if any(isinstance(part, etree._Entity) for part in child):
                return None  # an entity reference (never resolved): the value is not what it says
            return (child.text or "").strip() or None
    return None


def parse_sitemap(body: bytes, base_url: str = "", limit: int = LISTING_MAX_BYTES) -> Sitemap:
    """URLs and child sitemaps of an XML sitemap (plain, gzip, Google News) or a text sitemap.

    Namespaces are matched by local name only: many sites get the sitemap namespace URI wrong.
    """
    data = gunzip_capped(body, limit).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not data:
        raise ListingError("empty sitemap")
    if not data.startswith(b"<"):  # text sitemap: one URL per line, no dates
        lines = data.decode("utf-8", "replace").splitlines()
        found = (absolute_url("", line) for line in lines if line.strip())  # full URLs only
        urls = [Listing(u, None) for u in found if u is not None]
        if not urls:
            raise ListingError("not a sitemap: neither XML nor lines of URLs")
        return Sitemap(urls=urls)
    if _DECLARES_ENTITIES.match(data):
        raise ListingError("sitemap declares XML entities (never needed; refused)")
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ListingError(f"not an XML sitemap: {exc}") from None
    if root is None:
        raise ListingError("empty sitemap")
    sitemap = Sitemap()
    for element in root.iter():
        kind = _local(element)
        if kind not in ("url", "sitemap"):
            continue
        loc = _child_text(element, "loc")
        url = absolute_url(base_url, loc) if loc else None
        if url is None:
            continue
        if kind == "sitemap":
            sitemap.children.append(Listing(url, written_date(_child_text(element, "lastmod"))))
            continue
        published, title = None, None
        for news in element:
            if _local(news) == "news":
                published = written_date(_child_text(news, "publication_date"))
                title = _child_text(news, "title")
        day = published or written_date(_child_text(element, "lastmod"))
        sitemap.urls.append(Listing(url, day, title))
    return sitemap


def select_sitemap(sitemap: Sitemap, first: date, last: date) -> tuple[list[Listing], list[Listing]]:
    """(article URLs, child sitemaps to fetch) of a sitemap for first..last (rules: module doc)."""
    dated = any(x.listed_date is not None for x in sitemap.urls)
    urls = [
        x
        for x in sitemap.urls
        if in_range(x.listed_date, first, last) or (not dated and x.listed_date is None)
    ]
    children = [x for x in sitemap.children if x.listed_date is None or x.listed_date >= first]
    return urls, children


# --- robots.txt --------------------------------------------------------------------------------


def robots_sitemaps(body: bytes, robots_url: str) -> list[str]:
    """Absolute URLs of the ``Sitemap:`` lines of a robots.txt."""
    rules = Protego.parse(body.decode("utf-8", "replace"))
    found = (absolute_url(robots_url, url) for url in rules.sitemaps)
    return list(dict.fromkeys(u for u in found if u is not None))


def robots_urls(source: Source) -> list[str]:
    """robots.txt URLs of a source: its domains, and the hosts on them its config names.

    A domain with an explicit port (a loopback or development site) is fetched over http, any
    other over https; redirects (to ``www.``) are followed by the crawler.
    """
    hosts = []
    for url in (*source.feeds, *source.sitemaps, *source.archive_urls(date(2000, 1, 1))):
        if source.owns(url):
            parts = urlsplit(url)
            hosts.append(f"{parts.scheme}://{parts.netloc.lower()}")
    for domain in source.domains:
        hosts.append(f"{'http' if ':' in domain else 'https'}://{domain}")
    return [f"{host}/robots.txt" for host in dict.fromkeys(hosts)]


# --- archive pages -----------------------------------------------------------------------------

_ASSET_EXTENSIONS = frozenset(
    "jpg jpeg png gif webp avif svg ico bmp tif tiff css js mjs json xml rss atom rdf txt csv pdf "
    "doc docx xls xlsx ppt pptx zip gz tgz rar 7z mp3 mp4 m4a m4v mov avi webm ogg wav flac woff "
    "woff2 ttf otf eot exe dmg apk ics vcf".split()
)
_PAGE_EXTENSIONS = frozenset("html htm shtml xhtml php asp aspx jsp cms ece".split())
_NON_ARTICLE_SEGMENTS = frozenset(
    # taxonomy and people pages, in the languages of the packaged sources
    "tag tags topic topics category categories categoria categorias categorie rubrik rubrique "
    "section sections thema themen tema temas schlagwort etiqueta etiquetas author authors autor "
    "autoren autores auteur profile profiles people "
    # site furniture
    "search suche buscar recherche login logout signin register account user users subscribe "
    "subscription abo newsletter newsletters about contact kontakt impressum imprint privacy "
    "datenschutz terms legal cookies help hilfe faq shop jobs careers "
    # feeds and listings
    "feed feeds rss atom archive archives archiv archivo page".split()
)
_FEED_QUERY = re.compile(r"(^|&)(format|output|type|feed)=(rss|atom|xml|json)\b", re.I)


def looks_like_article(url: str) -> bool:
    """False for URLs that are obviously not one article, judged from the URL alone.

    Rejects the home page, assets and feeds, taxonomy/people/utility pages (a path segment such
    as ``tag``, ``author``, ``category``, ``page`` followed by at most two more: deeper paths under
    a ``sections/`` prefix are articles on some sites) and bare section fronts: an article's last path
    segment carries a slug (a hyphen or underscore), a number, or a page extension, or its query
    carries a numeric id.
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.lower().split("/") if s]
    if not segments:
        return False
    last = segments[-1]
    stem, _, extension = last.rpartition(".")
    if stem and extension in _ASSET_EXTENSIONS:
        return False
    for position, segment in enumerate(segments):  # /tag/x, /news/author/jane-doe, /x/feed/
        if segment in _NON_ARTICLE_SEGMENTS and len(segments) - position <= 3:
            return False
    if _FEED_QUERY.search(parts.query):
        return False
    return (
        "-" in last
        or "_" in last
        or any(ch.isdigit() for ch in last)
        or (bool(stem) and extension in _PAGE_EXTENSIONS)
        or bool(re.search(r"=\d{3,}", parts.query))
    )


_DIRECTIVES = {"Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{1,2}", "d": r"\d{1,2}", "j": r"\d{1,3}",
               "e": r"\s?\d{1,2}", "b": r"[^\W\d_]+", "B": r"[^\W\d_]+", "a": r"[^\W\d_]+",
               "A": r"[^\W\d_]+", "%": "%"}


def _strftime_regex(spec: str) -> str:
    """A regex for what ``format(day, spec)`` can produce (``%Y/%m/%d`` -> ``\\d{4}/...``)."""
    out, i = "", 0
    while i < len(spec):
        if spec[i] == "%" and i + 1 < len(spec):
            flag = spec[i + 1] in "-#"  # %-d (glibc) and %#d (Windows): no zero padding
            directive = spec[i + 1 + flag : i + 2 + flag]
            out += _DIRECTIVES.get(directive, r"[\w.-]+?")
            i += 2 + flag
        else:
            out += re.escape(spec[i])
            i += 1
    return out


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching the path and query of any page an archive template yields, any day.

    Also matches its pagination (``/page/2/``, ``?page=2``, ``&p=2``).
    """
    regex = ""
    for literal, name, spec, _conv in string.Formatter().parse(template):
        regex += re.escape(literal)
        if name is not None:
            regex += _strftime_regex(spec or "%Y-%m-%d")
    parts = urlsplit(template)
    prefix = re.escape(f"{parts.scheme}://{parts.netloc}")
    regex = regex.removeprefix(prefix).rstrip("/")
    return re.compile(regex + r"/?(?:page/\d+/?)?(?:[?&](?:page|p|seite|pagina)=\d+)?", re.I)


def is_archive_page(url: str, source: Source) -> bool:
    """True when `url` is an archive page (of any day) of one of the source's templates."""
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return any(_template_pattern(t).fullmatch(tail) for t in source.archives)


@dataclass(frozen=True)
class ArchivePage:
    """What one archive page of a day lists: article candidates and further pages of that day."""

    articles: list[Listing]
    more_pages: list[str]


def _continues(url: str, day_urls: list[str]) -> bool:
    """True when `url` extends an archive URL of the day (``.../2026/11/20/page/2/``, ``&page=2``)."""
    for day_url in day_urls:
        stem = day_url.rstrip("/")
        if url != day_url and url.startswith(stem) and url[len(stem) : len(stem) + 1] in ("/", "?", "&"):
            return True
    return False


def parse_archive(body: bytes, page_url: str, source: Source, day: date) -> ArchivePage:
    """Article candidates linked from an archive page of `day`: on the source's domains, not
    archive pages themselves, not obviously something other than an article (`looks_like_article`).
    Links to further pages of the same day's archive (pagination) are returned apart.

    Each candidate is listed under `day`, with the link text as its title.
    """
    if not body.strip():
        return ArchivePage([], [])
    try:
        document = lxml_html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return ArchivePage([], [])
    base = page_url
    for href in document.xpath("//base/@href")[:1]:
        base = absolute_url(page_url, href) or page_url
    day_urls = source.archive_urls(day)
    found: dict[str, Listing] = {}
    pages: dict[str, None] = {}
    for anchor in document.xpath("//a[@href]"):
        url = (absolute_url(base, anchor.get("href")) or "").partition("#")[0]
        if url in found or not source.owns(url):
            continue
        if url.rstrip("/") == page_url.partition("#")[0].rstrip("/"):
            continue
        if is_archive_page(url, source):
            if _continues(url, day_urls):
                pages[url] = None
            continue
        if looks_like_article(url):
            title = " ".join(anchor.text_content().split()) or None
            found[url] = Listing(url, day, title)
    return ArchivePage(list(found.values()), list(pages))
