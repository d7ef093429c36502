"""Korean that reads naturally: particles fit the word before them, and one glossary is used everywhere."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.layers import catalogue
from app.core.text import josa

ROOT = Path(__file__).resolve().parents[2]
KO = json.loads((ROOT / "static/i18n/ko.json").read_text(encoding="utf-8"))

CASES = [  # word, pair, expected: Hangul by its final consonant, numbers and Latin letters as read aloud
    ("7×7", "이/가", "7×7이"), ("6×6", "이/가", "6×6이"), ("5×5", "이/가", "5×5가"), ("10", "은/는", "10은"),
    ("2", "은/는", "2는"), ("커널", "을/를", "커널을"), ("필터", "을/를", "필터를"), ("'Conv2D'", "을/를", "'Conv2D'를"),
    ("Dense", "이/가", "Dense가"), ("model", "을/를", "model을"), ("layer", "은/는", "layer는"),
    ("풀링 창", "으로/로", "풀링 창으로"), ("커널", "으로/로", "커널로"), ("groups=4", "으로/로", "groups=4로"),
    ("groups=3", "으로/로", "groups=3으로"), ("SIGKILL", "으로/로", "SIGKILL로"), ("POST", "을/를", "POST를"),
    ("LeNet-5 (1998)", "을/를", "LeNet-5 (1998)을"), ("VGG16", "을/를", "VGG16을"),
]


@pytest.mark.parametrize("word, pair, expected", CASES)
def test_the_particle_fits_how_the_word_is_read(word, pair, expected):
    assert josa(word, pair) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_page_chooses_particles_exactly_as_the_server_does():
    script = ("import('./static/js/shared/josa.js').then(({josa}) => console.log(JSON.stringify("
              f"{json.dumps([[w, p] for w, p, _ in CASES])}.map(([w, p]) => josa(w, p)))))")
    out = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == [expected for _, _, expected in CASES]


def korean_texts():
    """Every Korean sentence a person reads: the page's strings and the catalogue's descriptions."""
    yield from KO.values()
    for kind in catalogue()["layers"]:
        yield kind["description"]["ko"]
        for param in kind["params"]:
            yield param["description"]["ko"]
            yield param["allowed_ko"]


def test_no_particle_is_left_for_the_reader_to_choose():
    for text in korean_texts():
        assert not re.search(r"\((가|는|를|과|와|으)\)", text), text


@pytest.mark.parametrize("avoid, use", [("층", "레이어"), ("모양", "형태"), ("곱셈-덧셈", "연산량(MAC)")])
def test_the_glossary_is_used_everywhere(avoid, use):
    assert not [text for text in korean_texts() if avoid in text], f"say {use!r}, not {avoid!r}"


def test_no_message_in_the_server_code_leaves_the_particle_to_the_reader():
    for source in (ROOT / "app").rglob("*.py"):
        if source.name == "text.py":  # where josa() explains the machine-like form it replaces
            continue
        assert not re.search(r"\((가|는|를|과|와|으)\)", source.read_text(encoding="utf-8")), source
