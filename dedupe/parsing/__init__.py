"""Parse: seed pages and exports into one record table (files, text decoding, formats/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dedupe.parsing.files import ParseResult, expand_paths, parse_file, parse_paths

__all__ = ["ParseResult", "expand_paths", "parse_file", "parse_paths"]


def __getattr__(name: str):
    """The names above, imported from ``files`` on first use: reading the parser registry
    (``dedupe.parsing.formats``, e.g. for ``dedupe --help``) does not load pandas."""
    if name in __all__:
        from dedupe.parsing import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
