"""Canonical article URLs: the key of the `articles` table and of the skip list.

A feed and a sitemap often list the same article with different tracking parameters, ports or
case; both must map to one URL so the article is fetched and stored once.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from newsmill.config import DEFAULT_PORTS

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",  # Facebook click id
        "gclid",  # Google Ads click id
        "gclsrc",
        "dclid",  # Google Display click id
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads click id
        "mc_cid",  # Mailchimp campaign
        "mc_eid",  # Mailchimp recipient
        "igshid",  # Instagram share id
        "_ga",  # Google Analytics cross-domain linker
        "_gl",
        "yclid",  # Yandex click id
        "ref_src",  # Twitter/X referrer
        "ref_url",
        "cmpid",  # campaign ids used by many publishers
        "ocid",  # Microsoft/MSN campaign
        "icid",  # internal campaign id
        "ito",
        "s_cid",  # Adobe campaign
        "s_kwcid",
        "twclid",  # Twitter/X click id
        "ttclid",  # TikTok click id
        "li_fat_id",  # LinkedIn click id
        "oly_anon_id",  # Omeda
        "oly_enc_id",
        "vero_id",  # Vero
        "wickedid",
        "rb_clickid",
        "at_medium",  # AT Internet / Piano
        "at_campaign",
        "xtor",  # AT Internet / Piano
    }
)
"""Query parameters that only say how a reader arrived, never which page is shown."""

TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "hsa_", "pk_", "mtm_", "__hs")
"""Families of tracking parameters: Google UTM, HubSpot ads, Matomo/Piwik, HubSpot cookies."""



def is_tracking_param(name: str) -> bool:
    """True for a query parameter that identifies a campaign or a click, not content."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """`url` with lowercase scheme and host, no default port, fragment or tracking parameters.

    The remaining query parameters are kept, sorted, and percent-encoding is normalised by w3lib.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: leave the netloc as written
        port = None
        host = parts.netloc.rpartition("@")[2].lower()
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    )
    cleaned = urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    return canonicalize_url(cleaned, keep_fragments=False)
