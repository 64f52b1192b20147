"""Gate: `dedupe check`, the CI check that fails only on new findings, and its output formats."""
