"""Exceptions the library raises for bad input; the CLI turns them into one-line errors."""


class InputError(Exception):
    """A file or option the toolkit cannot use; the message names it and says what to do."""
