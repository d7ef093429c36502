"""What the shape engine remembers between requests changes how fast it answers, never what it answers."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import orjson
import pytest
from core_helpers import L, refused, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.core.engine import infer_model
from app.core.memo import Memo, forget_everything
from app.core.spec import ModelSpec, SpecError, validate_model


def answer_bytes(model: dict, limits: Settings | None = None) -> bytes:
    return orjson.dumps(infer_model(validate_model(ModelSpec.model_validate(model), limits or Settings())).to_json())


# --- generated models: a small vocabulary, so that layers repeat within and across models ---------------------------

conv = st.builds(lambda f, k, p: L("Conv2D", filters=f, kernel_size=k, padding=p),
                 st.integers(1, 3), st.integers(1, 3), st.sampled_from(["same", "valid"]))
plain = st.one_of(conv, st.just(L("BatchNormalization")), st.just(L("Activation", activation="relu")),
                  st.just(L("MaxPooling2D")), st.builds(lambda r: L("Dropout", rate=r), st.sampled_from([0.1, 0.5])))


@st.composite
def models(draw) -> dict:
    """A stack with merges back to earlier layers (valid or not: a merge of mismatched shapes is a result too)."""
    layers = []
    for index in range(draw(st.integers(1, 8))):
        if index >= 2 and draw(st.booleans()):
            sources = draw(st.lists(st.sampled_from(["input", *(f"l{i}" for i in range(index))]), min_size=2,
                                    max_size=3, unique=True))
            layers.append({**L(draw(st.sampled_from(["Add", "Concatenate", "Maximum"]))), "inputs": sources})
        else:
            layers.append(draw(plain))
            if draw(st.booleans()):  # the same layer frozen: its counts differ, its memo key must too
                layers[-1] = {**layers[-1], "trainable": False}
        layers[-1] = {**layers[-1], "name": f"l{index}"}
    layers.append(L("GlobalAveragePooling2D"))
    size = draw(st.sampled_from([3, 6, 8]))
    return {"input_shape": [size, size, draw(st.sampled_from([1, 3]))], "layers": layers}


@contextmanager
def nothing_remembered():
    """The engine working every layer out, as it did before it had memos: the truth to compare with."""
    sizes = [memo.maxsize for memo in Memo.every]
    forget_everything()
    for memo in Memo.every:
        memo.maxsize = 0
    try:
        yield
    finally:
        for memo, size in zip(Memo.every, sizes):
            memo.maxsize = size


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), models())
def test_a_model_answered_from_memos_gets_the_answer_worked_out_afresh_byte_for_byte(first, other):
    with nothing_remembered():
        truth = answer_bytes(first)
    answer_bytes(other)  # remembered, with layers equal to some of first's on other shapes or names
    assert answer_bytes(first) == truth  # from memos partly filled by other
    assert answer_bytes(first) == truth  # from memos holding all of first


# --- what a key must keep apart ------------------------------------------------------------------------------------

def test_true_is_not_remembered_as_one():
    assert run([4], L("Dense", units=1))["valid"]
    issues = refused([4], L("Dense", units=True))
    assert issues[0]["loc"] == ["body", "layers", 0, "units"]


def test_a_layer_accepted_under_one_limit_is_judged_again_under_a_tighter_one():
    model = {"input_shape": [4], "layers": [L("Dense", units=500)]}
    assert orjson.loads(answer_bytes(model))["valid"]
    with pytest.raises(SpecError) as caught:
        answer_bytes(model, Settings(max_param_value=100))
    assert "CNN_MAX_PARAM_VALUE" in caught.value.issues[0].msg.en


def test_a_refusal_names_its_own_position_each_time():
    bad = L("Conv2D", filters=0, kernel_size=3)
    assert refused([8, 8, 3], bad)[0]["loc"][:3] == ["body", "layers", 0]
    assert refused([8, 8, 3], L("Activation", activation="relu"), L("Dropout", rate=0.1), bad)[0]["loc"][:3] == [
        "body", "layers", 2]


@pytest.mark.parametrize("filters", [4, 2], ids=["joins", "fails"])
def test_a_merge_names_its_own_inputs_not_those_of_an_equal_merge_seen_before(filters):
    def add_of(first: str, second: str) -> str:
        result = run([8, 8, 3], {**L("Conv2D", filters=4, kernel_size=1), "name": first},
                     {**L("Conv2D", filters=filters, kernel_size=1), "name": second, "inputs": ["input"]},
                     {**L("Add"), "inputs": [first, second]})
        merge = result["layers"][2]
        return merge["error"]["en"] if merge["error"] else merge["explain"]["shape"][0]["formula"]

    assert "alpha" in add_of("alpha", "beta") and "beta" in add_of("alpha", "beta")
    again = add_of("gamma", "delta")
    assert "gamma" in again and "delta" in again and "alpha" not in again


def test_a_row_warning_follows_the_layer_not_the_memo():
    """Two equal Dense layers, one of them leading nowhere: the same memo entry, different warnings."""
    result = run([4], {**L("Dense", units=2), "name": "a"}, {**L("Dense", units=2), "name": "b", "inputs": ["input"]})
    first, second = result["layers"]
    assert first["explain"] == second["explain"] and first["params"] == second["params"] == 10
    assert "does not lead to the output" in first["warning"]["en"] and second["warning"] is None
    assert result["total_params"] == 10


# --- the memo itself -----------------------------------------------------------------------------------------------

def test_a_memo_keeps_at_most_its_size_dropping_the_oldest():
    memo = Memo(2)
    for key in "abc":
        memo.get(key, lambda k=key: k.upper())
    assert len(memo) == 2
    assert memo.get("a", lambda: "computed again") == "computed again"
    assert memo.get("c", lambda: "not used") == "C"


def test_a_memo_bounded_by_bytes_never_keeps_a_value_larger_than_itself():
    memo = Memo(10, sizeof=len)
    memo.get("big", lambda: b"x" * 11)
    assert len(memo) == 0
    memo.get("a", lambda: b"x" * 6)
    memo.get("b", lambda: b"x" * 6)  # 12 bytes do not fit in 10: "a" goes
    assert len(memo) == 1 and memo.get("b", lambda: b"") == b"x" * 6


def test_a_memo_of_size_zero_keeps_nothing_and_no_key_means_no_keeping():
    off, calls = Memo(0), []
    for memo, key in ((off, "k"), (Memo(5), None)):
        memo.get(key, lambda: calls.append(1))
        memo.get(key, lambda: calls.append(1))
        assert len(memo) == 0
    assert len(calls) == 4


def test_keep_decides_what_is_kept():
    memo = Memo(5)
    memo.get("refused", lambda: "no", keep=lambda value: value == "yes")
    memo.get("accepted", lambda: "yes", keep=lambda value: value == "yes")
    assert len(memo) == 1 and memo.get("accepted", lambda: "again") == "yes"


def test_a_memo_shared_by_threads_stays_bounded_and_right():
    memo, errors = Memo(16), []

    def hammer(offset: int) -> None:
        for i in range(3_000):
            key = (i + offset) % 50
            if memo.get(key, lambda k=key: k * 2) != key * 2:
                errors.append(key)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(memo) <= 16


def test_a_merge_of_many_long_names_is_answered_but_not_kept():
    from app.core import engine, summary

    many = [{**L("Dense", units=2), "name": f"d{i:02d}_" + "x" * 90, "inputs": ["input"]} for i in range(12)]
    result = run([4], *many, {**L("Add"), "name": "joined", "inputs": [layer["name"] for layer in many]})
    assert result["valid"] and "joined (Add)" in result["summary"]
    kept_rows = [row for row, _ in summary._ROWS.keys()]
    assert not any(row[0] == "joined" for row in kept_rows)
    assert any(row[0] == many[0]["name"] for row in kept_rows)
    assert not any(names and len(names) == len(many) for *_, names, _trainable in engine._WORKED.keys())
