"""Fast display labels for choices.

Django's ``get_FOO_display()`` hashes every (lazy) label of the field on each call, which
translates them all: 13 gettext calls per cell on a 50-row list. Lists call these
instead: one dict per (choices, language), built once.
"""

from __future__ import annotations

from functools import cache

from django.db import models
from django.utils.translation import get_language


@cache
def _labels(choices: type[models.Choices], language: str | None) -> dict:
    return {member.value: str(member.label) for member in choices}


def choice_label(choices: type[models.Choices], value) -> str:
    return _labels(choices, get_language()).get(value, value)


def choice_labels(choices: type[models.Choices]) -> dict:
    """value → label in the active language (one lookup for a whole page of rows)."""
    return _labels(choices, get_language())
