"""The words on a drawing, in English and Korean (the page's glossary: 레이어, 형태, 파라미터, 갈래, 병합), and a
layer's one-line summary of its arguments as its block on the page shows it."""

from __future__ import annotations

from typing import Any

from app.core.params import TupleParam
from app.core.spec import ValidLayer
from app.core.text import Text, josa


class Words:
    input_title = Text("Input", "입력")
    model_input = Text("model input", "모델 입력")
    shortcut = Text("shortcut", "지름길")
    unused = Text("not in the model: it does not lead to the output", "모델에 없음: 출력으로 이어지지 않습니다")
    rows_note = Text("Its connections do not nest into lanes, so each row names the layers it takes.",
                     "연결이 갈래로 나뉘지 않아 행마다 받는 레이어를 적었습니다.")

    @staticmethod
    def title(functional: bool, layers: int) -> Text:
        kind = "Functional" if functional else "Sequential"
        return Text(f"{kind} model · {layers:,} {'layer' if layers == 1 else 'layers'}",
                    f"{kind} 모델 · 레이어 {layers:,}개")

    @staticmethod
    def flow(input_shape: str, output_shape: str) -> Text:
        return Text(f"input {input_shape} → output {output_shape}", f"입력 {input_shape} → 출력 {output_shape}")

    @staticmethod
    def params(count: int) -> Text:
        return Text(f"{count:,} params", f"파라미터 {count:,}")

    @staticmethod
    def lane(number: int) -> Text:
        return Text(f"LANE {number}", f"갈래 {number}")

    @staticmethod
    def branch(lanes: int, layers: int, params: int) -> Text:
        return Text(f"Branch · {lanes} lanes · {layers:,} layers · {params:,} params",
                    f"분기 · 갈래 {lanes}개 · 레이어 {layers:,}개 · 파라미터 {params:,}")

    @staticmethod
    def total(count: int, size: str) -> Text:
        return Text(f"Total params: {count:,} ({size})", f"전체 파라미터: {count:,} ({size})")

    @staticmethod
    def split(trainable: int, non_trainable: int) -> Text:
        return Text(f"Trainable params: {trainable:,} · Non-trainable params: {non_trainable:,}",
                    f"학습 가능 파라미터: {trainable:,} · 학습 불가 파라미터: {non_trainable:,}")

    @staticmethod
    def more(output: str, layers: int, macs: int) -> Text:
        return Text(f"Output {output} · {layers:,} layers · {macs:,} multiply-adds per picture",
                    f"출력 {output} · 레이어 {layers:,}개 · 그림 한 장에 곱셈·덧셈 {macs:,}번")

    @staticmethod
    def trained(dataset: Text, epochs: int, accuracy: float | None) -> Text:
        score = "" if accuracy is None else f", test accuracy {accuracy:.4f}"
        score_ko = "" if accuracy is None else f", 테스트 정확도 {accuracy:.4f}"
        return Text(f"Trained on {dataset.en}: {epochs} {'epoch' if epochs == 1 else 'epochs'}{score}",
                    f"{josa(dataset.ko, '으로/로')} 학습: 에포크 {epochs}{score_ko}")


words = Words()


def short_value(value: Any) -> str:
    """A value as a block shows it: (3, 3) -> 3×3, ((1, 1), (2, 2)) -> 1×1 2×2."""
    if isinstance(value, tuple):
        if all(not isinstance(v, tuple) for v in value):
            return "×".join(str(v) for v in value)
        return " ".join(short_value(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def config_items(layer: ValidLayer) -> list[str]:
    """["filters 32", "kernel_size 3×3", "activation relu"]: the required arguments, the window (pool_size, size, a
    convolution's kernel_size) always, and any other that differs from Keras's default, in Keras's order."""
    window = next((p for p in layer.kind.params if isinstance(p, TupleParam)), None)
    return [f"{p.name} {short_value(layer.params[p.name])}" for p in layer.kind.params
            if p.required or p is window or layer.params[p.name] != p.default_value]
