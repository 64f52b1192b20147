"""Validate: checks registered with pandera, the anomaly table and the safe fixes."""

import sys

# When pandera loads and registers our checks it imports whatever optional integrations are
# installed: pyspark.pandas and pyspark.sql (the [spark] extra; about 1 s and a FutureWarning
# under pandas 3) and hypothesis (the [test] extra; about 1 s, for data synthesis dedupe never
# asks for). A None entry in sys.modules makes such an import fail at once, and pandera
# treats the package as absent; the entries are removed afterwards, so later imports work.
_OPTIONAL = ("pyspark.pandas", "pyspark.sql", "hypothesis")
_blocked = [name for name in _OPTIONAL if name not in sys.modules]
for _name in _blocked:
    sys.modules[_name] = None  # type: ignore[assignment]
try:
    from dedupe.validation.anomalies import apply_fixes, validate_records
finally:
    for _name in _blocked:
        if sys.modules.get(_name, 0) is None:
            del sys.modules[_name]

__all__ = ["apply_fixes", "validate_records"]
