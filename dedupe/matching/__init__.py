"""Match: normalise, block, compare, decide, cluster and merge duplicate records."""

from dedupe.matching.engine import MatchResult, match_records

__all__ = ["MatchResult", "match_records"]
