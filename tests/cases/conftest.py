"""Case tests that involve surveys (after-case surveys, low scores) use the survey fixtures."""

from tests.surveys.conftest import supplier_template, survey  # noqa: F401
