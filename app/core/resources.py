"""What running a model on one image would cost, estimated from shapes before anything is built."""

from __future__ import annotations

from app.core.engine import ModelResult
from app.core.shapes import product
from app.core.summary import FLOAT32_BYTES
from app.core.text import Text

MB = 1024 * 1024


class OverBudget(Exception):
    """The model is too big to run here; names the layer that tips it over and the setting."""

    def __init__(self, layer: int | None, message: Text):
        super().__init__(message.en)
        self.layer = layer
        self.message = message


def check_budget(result: ModelResult, max_activation_mb: int, max_weights_mb: int, max_macs: int) -> None:
    """Raise OverBudget if one image's activations, its multiply-adds or the weights would exceed the limits."""
    _check_activations(result, max_activation_mb)
    _check_macs(result, max_macs)
    _check_weights(result, max_weights_mb)


def _check_activations(result: ModelResult, max_activation_mb: int) -> None:
    total = (product(result.model.input_shape[1:]) or 0) * FLOAT32_BYTES
    for row in result.layers:
        elements = product(row.output_shape[1:])
        if elements is None:
            raise OverBudget(row.layer.index, Text(
                f"layers[{row.layer.index}] ({row.layer.name}) has an unknown size; give the Input a fixed size to run it",
                f"layers[{row.layer.index}] ({row.layer.name})의 크기를 알 수 없습니다; 실행하려면 Input 크기를 정하세요"))
        total += elements * FLOAT32_BYTES
        if total > max_activation_mb * MB:
            raise OverBudget(row.layer.index, Text(
                f"layers[{row.layer.index}] ({row.layer.name}) brings the activations for one image to "
                f"{total / MB:,.0f} MB, over the limit of {max_activation_mb:,} MB (setting CNN_MAX_ACTIVATION_MB); "
                "use a smaller input or fewer filters",
                f"layers[{row.layer.index}] ({row.layer.name})에서 이미지 한 장의 활성값이 {total / MB:,.0f} MB가 되어 "
                f"한도 {max_activation_mb:,} MB를 넘습니다 (설정 CNN_MAX_ACTIVATION_MB); 입력을 줄이거나 필터를 줄이세요"))


def _check_macs(result: ModelResult, max_macs: int) -> None:
    """Time is bounded by multiply-adds: one huge kernel on a large input can hold a worker for minutes."""
    total = 0
    for row in result.layers:
        total += row.inference.macs if row.inference else 0
        if total > max_macs:
            raise OverBudget(row.layer.index, Text(
                f"layers[{row.layer.index}] ({row.layer.name}) brings the multiply-adds for one image to "
                f"{total:,}, over the limit of {max_macs:,} (setting CNN_MAX_MACS); "
                "use a smaller input, a smaller kernel or fewer filters",
                f"layers[{row.layer.index}] ({row.layer.name})에서 이미지 한 장의 곱셈·덧셈이 {total:,}번이 되어 "
                f"한도 {max_macs:,}번을 넘습니다 (설정 CNN_MAX_MACS); 입력, 커널이나 필터를 줄이세요"))


def _check_weights(result: ModelResult, max_weights_mb: int) -> None:
    trainable, non_trainable = result.totals()
    weights = (trainable + non_trainable) * FLOAT32_BYTES
    if weights > max_weights_mb * MB:
        raise OverBudget(None, Text(
            f"the weights take {weights / MB:,.0f} MB, over the limit of {max_weights_mb:,} MB "
            "(setting CNN_MAX_WEIGHTS_MB); use fewer units or filters",
            f"가중치가 {weights / MB:,.0f} MB로 한도 {max_weights_mb:,} MB를 넘습니다 (설정 CNN_MAX_WEIGHTS_MB); "
            "유닛이나 필터를 줄이세요"))
