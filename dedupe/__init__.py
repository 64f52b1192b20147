"""dedupe: parse, validate and deduplicate scraped bibliographic records."""

__version__ = "0.1.0"
