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
