"""Fixtures of the perspectives tests: the shared ones of ``tests.dictionaries``."""

from tests.dictionaries.conftest import boss, manager, reader, stranger, xworld  # noqa: F401 - fixtures
