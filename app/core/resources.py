"""What running a model on one image would cost, estimated from shapes before anything is built."""

from __future__ import annotations

from app.core.engine import ModelResult
from app.core.shapes import product
from app.core.summary import FLOAT32_BYTES

MB = 1024 * 1024


class OverBudget(Exception):
    """The model is too big to run here; names the layer that tips it over and the setting."""

    def __init__(self, layer: int | None, message: str):
        super().__init__(message)
        self.layer = layer
        self.message = message


def check_budget(result: ModelResult, max_activation_mb: int, max_weights_mb: int) -> None:
    """Raise OverBudget if one image's activations, or the weights, would exceed the limits."""
    total = (product(result.model.input_shape[1:]) or 0) * FLOAT32_BYTES
    for row in result.layers:
        elements = product(row.output_shape[1:])
        if elements is None:
            raise OverBudget(row.layer.index, f"layers[{row.layer.index}] ({row.layer.name}) has an unknown size; "
                                              "give the Input a fixed size to run it")
        total += elements * FLOAT32_BYTES
        if total > max_activation_mb * MB:
            raise OverBudget(row.layer.index, f"layers[{row.layer.index}] ({row.layer.name}) brings the activations "
                             f"for one image to {total / MB:,.0f} MB, over the limit of {max_activation_mb:,} MB "
                             "(setting CNN_MAX_ACTIVATION_MB); use a smaller input or fewer filters")
    trainable, non_trainable = result.totals()
    weights = (trainable + non_trainable) * FLOAT32_BYTES
    if weights > max_weights_mb * MB:
        raise OverBudget(None, f"the weights take {weights / MB:,.0f} MB, over the limit of {max_weights_mb:,} MB "
                               "(setting CNN_MAX_WEIGHTS_MB); use fewer units or filters")
