"""Bilingual text: every sentence a person reads comes in English and Korean."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    en: str
    ko: str

    def to_json(self) -> dict[str, str]:
        return {"en": self.en, "ko": self.ko}


def same(text: str) -> Text:
    """Text that reads the same in both languages (a formula, a name)."""
    return Text(text, text)


ECHO_CHARS = 80  # a refused value is quoted at most this long: a 5 MB string must not come back in every message


def clip(text: str, limit: int = ECHO_CHARS) -> str:
    """
    >>> clip("x" * 100, 10)
    'xxxxxxxxx…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: object) -> str:
    """A value as Python writes it, clipped: what a message may say about what it refuses.

    >>> quoted("abc"), quoted("y" * 500)[-3:]
    ("'abc'", 'yy…')
    """
    return clip(repr(value))
