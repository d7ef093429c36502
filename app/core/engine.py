"""Runs a validated model through the catalogue: every layer's shape, parameters, cost and explanation.

A model Keras could not build is a result, not an exception: the first layer
that fails carries the reason, the layers after it have no shape, and the
model is marked invalid. It fails at the same layer Keras does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.layers.base import Inference, LayerError, LayerKind
from app.core.params import jsonable
from app.core.shapes import Shape, format_shape, product
from app.core.spec import ValidLayer, ValidModel
from app.core.summary import FLOAT32_BYTES, summary_text
from app.core.text import Text, josa


@dataclass
class LayerResult:
    layer: ValidLayer
    inference: Inference | None = None
    error: Text | None = None

    @property
    def output_shape(self) -> Shape | None:
        return self.inference.output_shape if self.inference else None

    def to_json(self) -> dict[str, Any]:
        inf, layer = self.inference, self.layer
        elements = product(inf.output_shape[1:]) if inf else None
        return {
            "index": layer.index,
            "name": layer.name,
            "type": layer.kind.type,
            "config": jsonable(layer.params),
            "output_shape": list(inf.output_shape) if inf else None,
            "params": inf.trainable + inf.non_trainable if inf else None,
            "trainable_params": inf.trainable if inf else None,
            "non_trainable_params": inf.non_trainable if inf else None,
            "activation": {"elements": elements, "bytes": None if elements is None else elements * FLOAT32_BYTES},
            "macs": inf.macs if inf else None,
            "explain": _explain_json(layer.kind, inf) if inf else None,
            "error": self.error.to_json() if self.error else None,
            "warning": inf.run_error.to_json() if inf and inf.run_error else None,
        }


@dataclass
class ModelResult:
    model: ValidModel
    layers: list[LayerResult]

    @property
    def failed(self) -> LayerResult | None:
        return next((r for r in self.layers if r.error), None)

    @property
    def fails_when_run(self) -> LayerResult | None:
        """The first layer Keras builds but cannot run data through (e.g. Softmax over a missing axis)."""
        return next((r for r in self.layers if r.inference and r.inference.run_error), None)

    @property
    def valid(self) -> bool:
        return self.failed is None

    def totals(self) -> tuple[int, int]:
        done = [r.inference for r in self.layers if r.inference]
        return sum(i.trainable for i in done), sum(i.non_trainable for i in done)

    def summary(self) -> str | None:
        if not self.valid:
            return None
        rows = [(r.layer.name, r.layer.kind.type, r.output_shape, r.inference.trainable + r.inference.non_trainable)
                for r in self.layers]
        return summary_text(rows, *self.totals())

    def to_json(self) -> dict[str, Any]:
        trainable, non_trainable = self.totals()
        failed = self.failed
        output = self.layers[-1].output_shape if self.layers else self.model.input_shape
        macs = [r.inference.macs for r in self.layers if r.inference]
        return {
            "valid": failed is None,
            "input_shape": list(self.model.input_shape),
            "output_shape": list(output) if output is not None else None,
            "layers": [r.to_json() for r in self.layers],
            "total_params": trainable + non_trainable,
            "trainable_params": trainable,
            "non_trainable_params": non_trainable,
            "total_macs": None if None in macs else sum(macs),
            "summary": self.summary(),
            "error": None if failed is None else {
                "layer": failed.layer.index,
                "name": failed.layer.name,
                "type": failed.layer.kind.type,
                "message": failed.error.to_json(),
            },
        }


def infer_model(model: ValidModel) -> ModelResult:
    results, shape = [], model.input_shape
    for layer in model.layers:
        if shape is None:
            results.append(LayerResult(layer))
            continue
        try:
            inference = infer_layer(layer.kind, shape, layer.params)
        except LayerError as error:
            results.append(LayerResult(layer, error=error.text))
            shape = None
            continue
        results.append(LayerResult(layer, inference))
        shape = inference.output_shape
    return ModelResult(model, results)


RANK_EXAMPLES = {
    2: "(None, features)",
    3: "(None, steps, channels)",
    4: "(None, height, width, channels)",
}


def infer_layer(kind: LayerKind, shape: Shape, params: dict[str, Any]) -> Inference:
    _check_rank(kind, shape)
    return kind.infer(shape, params)


def _check_rank(kind: LayerKind, shape: Shape) -> None:
    """Keras's InputSpec: the number of axes a layer accepts, checked before anything else."""
    expected = kind.rank or kind.min_rank
    if expected is None or len(shape) == expected or (kind.rank is None and len(shape) >= expected):
        return
    example = RANK_EXAMPLES.get(expected, f"{expected} axes")
    fix_en = "add Reshape before it" if len(shape) < expected else "add Flatten or a global pooling before it"
    fix_ko = "앞에 Reshape를 넣으세요" if len(shape) < expected else "앞에 Flatten이나 전역 풀링을 넣으세요"
    raise LayerError(
        f"expects {expected}-D input {example} but receives {format_shape(shape)}, which is {len(shape)}-D; "
        + fix_en,
        f"{expected}차원 입력 {josa(example, '이/가')} 필요하지만 {format_shape(shape)} ({len(shape)}차원)을 받았습니다; " + fix_ko,
    )


def _explain_json(kind: LayerKind, inference: Inference) -> dict[str, Any]:
    return {
        "text": kind.description.to_json(),
        "shape": [s.to_json() for s in inference.shape_steps],
        "params": [s.to_json() for s in inference.param_steps],
    }


__all__ = ["LayerResult", "ModelResult", "infer_layer", "infer_model"]
