"""Parse: seed pages and exports into one record table (files, text decoding, formats/)."""

from dedupe.parsing.files import ParseResult, expand_paths, parse_file, parse_paths

__all__ = ["ParseResult", "expand_paths", "parse_file", "parse_paths"]
