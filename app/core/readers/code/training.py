"""``model.compile(…)`` and ``model.fit(…)`` as the settings of a training run, named as ``RunRequest`` names them
(optimizer, learning_rate, epochs, batch_size, validation_split), so the page can start a run with them.

A value that cannot be read or that a run does not take is a note, never a refusal: the model still opens. What the
code leaves out is what Keras would use (``compile()`` without an optimizer trains with rmsprop; ``fit()`` without
``batch_size`` takes 32 pictures a step and without ``epochs`` one pass), so the run trains as the code would.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from app.core.readers.code.names import OPTIMIZERS, meaning
from app.core.readers.code.values import CodeRefused, Optimizer, Ref
from app.core.text import Text, clip, josa

RUN_OPTIMIZERS = ", ".join(OPTIMIZERS)
COMPILE_ORDER = ("optimizer", "loss")
FIT_ORDER = ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data")
KERAS_DEFAULTS = {"batch_size": 32, "epochs": 1, "validation_split": 0.0}


@dataclass
class Training:
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class TrainingLimits:
    max_epochs: int = 50  # CNN_MAX_EPOCHS
    max_batch_size: int = 1_024  # CNN_MAX_BATCH_SIZE


def read_compile(ev, call: ast.Call, training: Training) -> None:
    arguments = _arguments(call, COMPILE_ORDER)
    if "optimizer" not in arguments:
        training.values.update(optimizer="rmsprop")
        training.values.pop("learning_rate", None)
        training.notes.append(Text("compile() names no optimizer: Keras's default is rmsprop",
                                   "compile()에 옵티마이저가 없습니다: Keras의 기본값은 rmsprop입니다"))
    else:
        _optimizer(ev, arguments["optimizer"], training)
    if "loss" in arguments:
        _loss(ev, arguments["loss"], training)


def read_fit(ev, call: ast.Call, training: Training, method: str, limits: TrainingLimits) -> None:
    arguments = _arguments(call, FIT_ORDER)
    if method != "fit":
        training.notes.append(Text(f"{method} (Keras 2) is fit in Keras 3", f"{method}(Keras 2)는 Keras 3의 fit입니다"))
    if "nb_epoch" in arguments and "epochs" not in arguments:
        arguments["epochs"] = arguments.pop("nb_epoch")
        training.notes.append(Text("nb_epoch= (Keras 1) is epochs= in Keras 3", "nb_epoch=(Keras 1)은 Keras 3의 "
                                   "epochs=입니다"))
    for key, limit, setting in (("epochs", limits.max_epochs, "CNN_MAX_EPOCHS"),
                                ("batch_size", limits.max_batch_size, "CNN_MAX_BATCH_SIZE")):
        _whole(ev, arguments, key, limit, setting, training, batch=method != "fit" and key == "batch_size")
    if "validation_split" in arguments:
        split = _soft(ev, arguments["validation_split"], "validation_split", training)
        if isinstance(split, (int, float)) and not isinstance(split, bool) and 0 <= split < 1:
            training.values["validation_split"] = split
        elif split is not None:
            training.notes.append(Text(f"validation_split={clip(repr(split), 20)} is not a fraction from 0 up to 1: "
                                       "the run's default is used", f"{josa(f'validation_split={clip(repr(split), 20)}', '은/는')} 0 이상 "
                                       "1 미만의 비율이 아닙니다: 실행의 기본값을 씁니다"))
    elif "validation_data" in arguments:
        training.values.pop("validation_split", None)
        training.notes.append(Text("validation_data is data of your own; a run sets aside validation_split of the "
                                   "training data instead (0.2 unless you choose)", "validation_data는 직접 준비한 "
                                   "데이터입니다; 실행에서는 대신 학습 데이터의 validation_split만큼을 떼어 둡니다 "
                                   "(따로 고르지 않으면 0.2)"))
    else:
        training.values["validation_split"] = KERAS_DEFAULTS["validation_split"]


def _arguments(call: ast.Call, order: tuple[str, ...]) -> dict[str, ast.expr]:
    arguments = {name: node for name, node in zip(order, call.args) if not isinstance(node, ast.Starred)}
    arguments.update((keyword.arg, keyword.value) for keyword in call.keywords if keyword.arg is not None)
    return arguments


def _soft(ev, node: ast.expr, name: str, training: Training) -> Any:
    """The value, or None with a note when only running the code could give it."""
    try:
        return ev.value(node)
    except CodeRefused as error:
        if error.status != 422:
            raise
        training.notes.append(Text(f"{name}={ev.source(node)} could not be read ({error.root.text.en}): the run's "
                                   "default is used", f"{josa(f'{name}={ev.source(node)}', '은/는')} 읽을 수 없습니다 "
                                   f"({error.root.text.ko}): 실행의 기본값을 씁니다"))
        return None


def _whole(ev, arguments: dict, key: str, limit: int, setting: str, training: Training, batch: bool) -> None:
    if key not in arguments:
        if not batch:
            training.values[key] = KERAS_DEFAULTS[key]
        return
    value = _soft(ev, arguments[key], key, training)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        training.notes.append(Text(f"{key}={clip(repr(value), 20)} is not a whole number ≥ 1: the run's default is "
                                   "used", f"{josa(f'{key}={clip(repr(value), 20)}', '은/는')} 1 이상의 정수가 아닙니다: 실행의 기본값을 "
                                   "씁니다"))
        return
    if value > limit:
        training.notes.append(Text(f"{key}={value:,} is over the limit of {limit:,} (setting {setting}): set to "
                                   f"{limit:,}", f"{josa(f'{key}={value:,}', '은/는')} 한도 {josa(f'{limit:,}', '을/를')} 넘습니다 (설정 {setting}): "
                                   f"{limit:,}로 맞췄습니다"))
        value = limit
    training.values[key] = value


def _optimizer(ev, node: ast.expr, training: Training) -> None:
    value = _soft(ev, node, "optimizer", training)
    if value is None:
        return
    if isinstance(value, Ref):
        found = meaning(value.path)
        if found is not None and found.what == "optimizer":
            value = Optimizer(found.name.lower())
    if isinstance(value, str):
        value = Optimizer(value.lower())
    if not isinstance(value, Optimizer):
        training.notes.append(Text(f"optimizer={ev.source(node)} is not an optimizer the reader knows: the run's "
                                   "default is used", f"{josa(f'optimizer={ev.source(node)}', '은/는')} 알 수 없는 옵티마이저입니다: "
                                   "실행의 기본값을 씁니다"))
        return
    if value.name not in OPTIMIZERS:
        training.notes.append(Text(f"the optimizer {value.name} is not one a run offers ({RUN_OPTIMIZERS}): the run's "
                                   "default is used", f"옵티마이저 {josa(value.name, '은/는')} 실행에서 고를 수 없습니다 "
                                   f"({RUN_OPTIMIZERS}): 실행의 기본값을 씁니다"))
        training.values.pop("optimizer", None)
        training.values.pop("learning_rate", None)
        return
    training.values["optimizer"] = OPTIMIZERS[value.name]
    training.values.pop("learning_rate", None)
    if value.renamed_lr:
        training.notes.append(Text("lr= (Keras 2) is learning_rate= in Keras 3", "lr=(Keras 2)는 Keras 3의 "
                                   "learning_rate=입니다"))
    if value.dropped:
        shown = ", ".join(value.dropped)
        training.notes.append(Text(f"the optimizer's {shown} are not run settings and are not kept",
                                   f"옵티마이저의 {josa(shown, '은/는')} 실행 설정에 없어서 뺐습니다"))
    rate = value.learning_rate
    if isinstance(rate, CodeRefused):
        training.notes.append(Text(f"the learning rate could not be read ({rate.root.text.en}): the run's default is "
                                   "used", f"학습률을 읽을 수 없습니다 ({rate.root.text.ko}): 실행의 기본값을 씁니다"))
    elif isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 < rate <= 10:
        training.values["learning_rate"] = float(rate)
    elif rate is not None:
        training.notes.append(Text(f"learning_rate={clip(repr(rate), 30)} is not a number above 0 and at most 10: the "
                                   "run's default is used", f"{josa(f'learning_rate={clip(repr(rate), 30)}', '은/는')} 0보다 크고 10 "
                                   "이하인 숫자가 아닙니다: 실행의 기본값을 씁니다"))


def _loss(ev, node: ast.expr, training: Training) -> None:
    """Read from its words only (a loss object is never evaluated): a run picks sparse categorical cross-entropy."""
    words = ev.source(node).lower().replace("_", "")
    if "sparsecategorical" in words:
        return
    if "categoricalcrossentropy" in words:
        training.notes.append(Text("loss: a run uses sparse categorical cross-entropy on class numbers, the same loss "
                                   "as categorical cross-entropy on one-hot labels", "손실: 실행에서는 클래스 번호에 "
                                   "희소 범주형 교차 엔트로피를 씁니다. 원-핫 레이블의 범주형 교차 엔트로피와 같은 "
                                   "손실입니다"))
        return
    training.notes.append(Text(f"loss={ev.source(node)} is not kept: a run classifies pictures with sparse "
                               "categorical cross-entropy", f"{josa(f'loss={ev.source(node)}', '은/는')} 뺐습니다: 실행에서는 희소 범주형 "
                               "교차 엔트로피로 사진을 분류합니다"))
