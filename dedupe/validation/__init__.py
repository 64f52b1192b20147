"""Validate: checks registered with pandera, the anomaly table and the safe fixes."""

from dedupe.validation.anomalies import apply_fixes, validate_records

__all__ = ["apply_fixes", "validate_records"]
