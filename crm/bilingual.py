"""Data people read in their language: records that carry an English and a Chinese text
(department names, scorecard and survey texts) show the Chinese one to a reader in Chinese,
and the English one when there is no Chinese text."""

from __future__ import annotations

from django.utils import translation


def in_language(english: str, chinese: str | None, language: str | None = None) -> str:
    """``chinese`` when ``language`` (default: the active one) is Chinese and it is set."""
    language = (language or translation.get_language() or "").lower()
    return chinese if chinese and language.startswith("zh") else english


def in_both_languages(english: str, chinese: str | None) -> str:
    """One text for readers of either language, for what the system writes into a field
    people type in (a case opened by a low survey score): ``English / 中文``, or the English
    alone when there is no different Chinese text."""
    return f"{english} / {chinese}" if chinese and chinese != english else english
