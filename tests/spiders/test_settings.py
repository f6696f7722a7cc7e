"""The Scrapy settings made from newsmill's `[settings]` (`spiders.settings.scrapy_settings`)."""

from __future__ import annotations

from newsmill.config import Settings
from spiders.settings import scrapy_settings


def test_scrapy_settings_from_config() -> None:
    settings = scrapy_settings(Settings(user_agent="ua/1", concurrency=10, concurrency_per_domain=3,
                                        download_delay=1.5, download_timeout=20, max_page_bytes=1000,
                                        retries=4, obey_robots=True, autothrottle=True))
    assert settings["USER_AGENT"] == "ua/1"
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["CONCURRENT_REQUESTS"] == 10 and settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3
    assert settings["DOWNLOAD_DELAY"] == 1.5 and settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["DOWNLOAD_TIMEOUT"] == 20 and settings["DNS_TIMEOUT"] <= 20
    assert settings["DOWNLOAD_MAXSIZE"] == 1000 and settings["DOWNLOAD_WARNSIZE"] == 500
    assert settings["RETRY_TIMES"] == 4 and {429, 503} <= set(settings["RETRY_HTTP_CODES"])
    assert settings["REMOTE_CONTROL_ENABLED"] is False and settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["HTTPCACHE_ENABLED"] is False
    assert settings["LOG_LEVEL"] == "WARNING"
    assert "spiders.politeness.CrawlDelay" in settings["EXTENSIONS"]
    assert scrapy_settings(Settings(retries=0))["RETRY_ENABLED"] is False
