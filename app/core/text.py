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


_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # the final consonant ㄹ, which takes 로 rather than 으로
# How digits and Latin letters are read aloud in Korean decides the particle: 7 is 칠 (ends in ㄹ), 3 is 삼.
_DIGIT_FINAL = {"0": 1, "1": _RIEUL, "2": 0, "3": 1, "4": 0, "5": 0, "6": 1, "7": _RIEUL, "8": _RIEUL, "9": 0}
# A capital ends an acronym or a name like Conv2D and is read as a letter: el, em, en, ar. A lowercase letter ends a
# word: "model" 모델, "mean" 민, "layer" 레이어.
_CAPITAL_FINAL = {"L": _RIEUL, "M": 1, "N": 1, "R": _RIEUL}
_WORD_FINAL = {"l": _RIEUL, "m": 1, "n": 1}
_SILENT_TAIL = "'\")]}>…. "


def josa(word: object, pair: str) -> str:
    """``word`` with the Korean particle that fits its last sound: ``pair`` is "after a consonant/after a vowel".

    Hard-coded "이(가)" reads as a machine wrote it; "7×7가" is simply wrong (칠 ends in a consonant).
    Numbers and Latin letters are judged by how they are read aloud; quotes and brackets are looked through.

    >>> josa("7×7", "이/가"), josa("커널", "을/를"), josa("'Conv2D'", "을/를"), josa(3, "은/는")
    ('7×7이', '커널을', "'Conv2D'를", '3은')
    >>> josa("풀링 창", "으로/로"), josa("필터", "으로/로"), josa("커널", "으로/로"), josa("groups=4", "으로/로")
    ('풀링 창으로', '필터로', '커널로', 'groups=4로')
    >>> josa("layer", "은/는"), josa("Dense", "이/가"), josa("model", "을/를")
    ('layer는', 'Dense가', 'model을')
    """
    text = str(word)
    after_consonant, after_vowel = pair.split("/")
    final = _final_consonant(text.rstrip(_SILENT_TAIL) or text)
    if after_consonant == "으로":
        return text + ("으로" if final and final != _RIEUL else "로")
    return text + (after_consonant if final else after_vowel)


def _final_consonant(text: str) -> int:
    """0 when the last sound is a vowel; otherwise nonzero (``_RIEUL`` for ㄹ)."""
    last = text[-1:] or " "
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28
    if last in _DIGIT_FINAL:
        return _DIGIT_FINAL[last]
    return _CAPITAL_FINAL.get(last, 0) if last.isupper() else _WORD_FINAL.get(last, 0)
