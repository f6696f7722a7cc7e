"""Stage 1, crawl: Scrapy spiders that fetch a date range's articles into WARC (docs/architecture.md)."""
