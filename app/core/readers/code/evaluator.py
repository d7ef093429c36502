"""Expressions of the code evaluated by our own rules, never by Python: literals, names, tuples and lists, arithmetic
(bounded before it is computed), comparisons, f-strings with plain formats, and dotted names as strings.

Anything else (a lambda, a comprehension, a dict, an attribute of data, a call to a function we do not know) is a
refusal at its line and column that says what is not read and what to write instead. A refusal inside an assignment
is kept with the name (``Unknown``) and raised only if that name is used where the model needs it, so a script's
data loading and plotting never matter.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
from typing import Any

from app.core.readers.base import Notes
from app.core.readers.code.names import meaning
from app.core.readers.code.values import (
    MODELS,
    CodeRefused,
    LayerObject,
    Ref,
    TensorValue,
    Unknown,
    UserClass,
    UserFunction,
    Where,
)
from app.core.text import Text, clip, josa

MAX_NUMBER = 10**12  # any number the code computes; layer arguments stop at CNN_MAX_PARAM_VALUE anyway
MAX_STRING = 10_000  # characters of a string
MAX_ITEMS = 10_000  # items of a tuple or list
MAX_DEPTH = 100  # expressions inside expressions (real code nests fewer than 20)
MAX_STEPS = 200_000  # expressions and statements evaluated in all, loops included
BUILTIN_NAMES = frozenset(dir(builtins))
PLAIN = (int, float, str, bool, type(None), tuple, list)
FORMAT_SPEC = re.compile(r"[<>^=]?[+\- ]?0?\d{0,2}(\.\d{1,2})?[bdeEfFgGnosxX%]?")
DESCRIBED = {
    "Lambda": ("a lambda", "람다"), "ListComp": ("a list comprehension", "리스트 컴프리헨션"),
    "SetComp": ("a set comprehension", "집합 컴프리헨션"), "DictComp": ("a dict comprehension", "딕셔너리 컴프리헨션"),
    "GeneratorExp": ("a generator expression", "제너레이터 식"), "Dict": ("a dict", "딕셔너리"), "Set": ("a set", "집합"),
    "Await": ("await", "await"), "Yield": ("yield", "yield"), "YieldFrom": ("yield from", "yield from"),
    "NamedExpr": ("an assignment expression (:=)", "대입식(:=)"), "Starred": ("unpacking with *", "*로 펼치기"),
}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}


class Evaluator:
    """Expressions only; ``call`` and ``call_function`` (statements) are the subclasses'."""

    def __init__(self, text: str, notes: Notes, field: str):
        self.text = text
        self.lines = [line.encode("utf-8") for line in re.split(r"\r\n|\r|\n", text)]
        self.notes = notes
        self.field = field
        self.frames: list[dict[str, Any]] = [{}]
        self.star_modules: list[str] = []
        self.steps = 0
        self.depth = 0

    # ---- places and refusals

    def where(self, node: ast.AST) -> Where:
        line = getattr(node, "lineno", 1)
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else b""
        return Where(line, len(raw[: getattr(node, "col_offset", 0)].decode("utf-8", "replace")) + 1)

    def source(self, node: ast.AST) -> str:
        return clip(ast.get_source_segment(self.text, node) or "…", 60)

    def refuse(self, node: ast.AST | None, en: str, ko: str, *, status: int = 422,
               kind: str = "refused") -> CodeRefused:
        return CodeRefused(self.where(node) if node is not None else None, Text(en, ko), status=status, kind=kind,
                           field=self.field)

    def step(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            error = self.refuse(node, f"reading the code takes more than {MAX_STEPS:,} steps (its loops run too "
                                "long); write the model's layers out, or loop fewer times",
                                f"코드를 읽는 데 {MAX_STEPS:,}단계가 넘게 걸립니다 (반복문이 너무 오래 돕니다); 모델의 "
                                "레이어를 풀어 쓰거나 반복을 줄이세요")
            error.fatal = True
            raise error

    # ---- expressions

    def value(self, node: ast.expr) -> Any:
        self.step(node)
        if self.depth >= MAX_DEPTH:
            raise self.refuse(node, f"expressions nested more than {MAX_DEPTH} deep are not read; split it into "
                              "several lines", f"{MAX_DEPTH}단계보다 깊이 중첩된 식은 읽지 않습니다; 여러 줄로 나누세요")
        self.depth += 1
        try:
            method = getattr(self, f"_{type(node).__name__}", None)
            if method is None:
                raise self.unsupported(node)
            return method(node)
        finally:
            self.depth -= 1

    def unsupported(self, node: ast.AST) -> CodeRefused:
        en, ko = DESCRIBED.get(type(node).__name__, ("this kind of expression", "이런 식"))
        return self.refuse(node, f"{en} is not read: the code is never run, so only numbers, strings, tuples and "
                           "lists, names given those earlier, arithmetic on them, and Keras's layers, models and "
                           "optimizers can be; write the value out", f"{josa_word(ko)} 읽지 않습니다: 코드는 실행하지 "
                           "않으므로 숫자, 문자열, 튜플과 리스트, 앞에서 그런 값을 받은 이름, 그 값의 계산, Keras의 "
                           "레이어·모델·옵티마이저만 읽을 수 있습니다; 값을 직접 쓰세요")

    def _Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, (bool, type(None), int, float, str)):
            return self.bounded(node, value)
        raise self.refuse(node, f"a {type(value).__name__} literal is not read here; use a number or a string",
                          f"{type(value).__name__} 값은 여기서 읽지 않습니다; 숫자나 문자열을 쓰세요")

    def _Name(self, node: ast.Name) -> Any:
        return self.lookup(node.id, node)

    def lookup(self, name: str, node: ast.AST) -> Any:
        for scope in (self.frames[-1], self.frames[0]):
            if name in scope:
                found = scope[name]
                if isinstance(found, Unknown):
                    raise self.from_unknown(node, name, found)
                return found
        if name == "__name__":
            return "__main__"
        if name in BUILTIN_NAMES:
            return Ref(f"builtins.{name}")
        for module in self.star_modules:
            found = meaning(f"{module}.{name}")
            if found is not None and found.what != "keras":
                return Ref(f"{module}.{name}")
        module = _home(name)
        if module is not None:
            raise self.refuse(node, f"{name} is not imported before this line; add: from {module} import {name}",
                              f"{josa_word(name, '은/는')} 이 줄 전에 import하지 않았습니다; 다음을 넣으세요: from "
                              f"{module} import {name}", kind="name_error")
        raise self.refuse(node, f"{name} is not given a value before this line; assign it a number, a string or a "
                          "tuple earlier in the code", f"{josa_word(name, '은/는')} 이 줄 전에 값을 받지 않았습니다; "
                          "앞에서 숫자, 문자열, 튜플을 주세요", kind="name_error")

    def from_unknown(self, node: ast.AST, name: str, unknown: Unknown) -> CodeRefused:
        root = unknown.refusal.root
        error = self.refuse(node, f"{name} has no value that can be known without running the code ({root.text.en})",
                            f"{josa_word(name, '은/는')} 코드를 실행하지 않고는 알 수 없는 값입니다 ({root.text.ko})")
        error.root = root
        return error

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.items(node.elts))

    def _List(self, node: ast.List) -> list:
        return self.items(node.elts)

    def items(self, nodes: list[ast.expr]) -> list:
        if len(nodes) > MAX_ITEMS:
            raise self.refuse(nodes[MAX_ITEMS], f"a tuple or list of more than {MAX_ITEMS:,} items is not read",
                              f"항목이 {MAX_ITEMS:,}개보다 많은 튜플이나 리스트는 읽지 않습니다")
        return [self.value(item) for item in nodes]

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.value(node.operand)
        if isinstance(node.op, ast.Not):
            return not self.truth(node.operand, operand)
        if isinstance(node.op, (ast.USub, ast.UAdd)) and is_number(operand):
            return self.bounded(node, -operand if isinstance(node.op, ast.USub) else +operand)
        raise self.refuse(node, "this operator is only read on numbers (-x, +x) and conditions (not x)",
                          "이 연산자는 숫자(-x, +x)와 조건(not x)에만 읽습니다")

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(left, TensorValue) or isinstance(right, TensorValue):
            return self.tensor_arithmetic(node, left, right)
        symbol = OPERATORS.get(type(node.op))
        if symbol is None:
            raise self.refuse(node, "only + - * / // % ** are read between numbers",
                              "숫자 사이에는 + - * / // % **만 읽습니다")
        return self.bounded(node, arithmetic(self, node, symbol, left, right))

    def tensor_arithmetic(self, node: ast.BinOp, left: Any, right: Any) -> Any:  # pragma: no cover - overridden
        raise self.unsupported(node)

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        result = None
        for item in node.values:
            result = self.value(item)
            truth = self.truth(item, result)
            if truth == isinstance(node.op, ast.Or):
                return result
        return result

    def _Compare(self, node: ast.Compare) -> bool:
        left = self.value(node.left)
        for op, item in zip(node.ops, node.comparators):
            right = self.value(item)
            if not compare(self, node, op, left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.value(node.body if self.truth(node.test, self.value(node.test)) else node.orelse)

    def truth(self, node: ast.AST, value: Any) -> bool:
        if isinstance(value, PLAIN):
            return bool(value)
        raise self.refuse(node, "only numbers, strings, tuples, lists and None are read as conditions",
                          "조건으로는 숫자, 문자열, 튜플, 리스트, None만 읽습니다")

    def _Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            raise self.refuse(node, f"the attribute .{clip(node.attr, 40)} is not read: names starting with _ are "
                              "Python's or a library's insides, never a model's", f".{clip(node.attr, 40)} 속성은 "
                              "읽지 않습니다: _로 시작하는 이름은 파이썬이나 라이브러리 내부의 것이지 모델의 것이 아닙니다")
        return self.attribute_of(self.value(node.value), node)

    def attribute_of(self, base: Any, node: ast.Attribute) -> Any:
        if isinstance(base, Ref):
            return Ref(f"{base.path}.{node.attr}")
        if isinstance(base, TensorValue):
            raise self.refuse(node, f"a tensor's .{node.attr} is only known by building the model; write the number "
                              "it stands for", f"텐서의 {josa('.' + node.attr, '은/는')} 모델을 만들어야 알 수 있습니다; 그 값을 숫자로 쓰세요")
        if isinstance(base, MODELS):
            raise self.refuse(node, f"a model's .{node.attr} is only known by running the code; the reader follows "
                              "add, compile and fit", f"모델의 {josa('.' + node.attr, '은/는')} 코드를 실행해야 알 수 있습니다; add, "
                              "compile, fit만 따라갑니다")
        raise self.refuse(node, f"the attribute .{clip(node.attr, 40)} of {describe(base)} is not read",
                          f"{describe(base)}의 .{clip(node.attr, 40)} 속성은 읽지 않습니다")

    def _Subscript(self, node: ast.Subscript) -> Any:
        base, index = self.value(node.value), self.value(node.slice)
        if isinstance(base, (tuple, list, str)) and (isinstance(index, slice) or
                                                     (isinstance(index, int) and not isinstance(index, bool))):
            try:
                return base[index]
            except IndexError:
                raise self.refuse(node, f"index {index} is outside {clip(repr(base), 40)}",
                                  f"{index}번째는 {clip(repr(base), 40)} 밖입니다") from None
        raise self.refuse(node, f"indexing {describe(base)} is not read; only tuples, lists and strings written in the "
                          "code can be indexed", f"{describe(base)}의 인덱싱은 읽지 않습니다; 코드에 쓴 튜플, 리스트, "
                          "문자열만 인덱싱할 수 있습니다")

    def _Slice(self, node: ast.Slice) -> slice:
        parts = [None if part is None else self.value(part) for part in (node.lower, node.upper, node.step)]
        if any(part is not None and (not isinstance(part, int) or isinstance(part, bool)) for part in parts) or \
                parts[2] == 0:
            raise self.refuse(node, "a slice takes whole numbers (and a step other than 0)",
                              "슬라이스에는 정수를 씁니다 (간격은 0이 아니어야 합니다)")
        return slice(*parts)

    def _JoinedStr(self, node: ast.JoinedStr) -> str:
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += str(part.value)
                continue
            text += self.formatted(part)
            if len(text) > MAX_STRING:
                break
        return self.bounded(node, text)

    def formatted(self, part: ast.FormattedValue) -> str:
        value = self.value(part.value)
        if not isinstance(value, (int, float, str, bool, type(None))):
            raise self.refuse(part, "an f-string is read only with numbers and strings in it",
                              "f-문자열은 숫자와 문자열이 들어 있을 때만 읽습니다")
        spec = ""
        if part.format_spec is not None:
            pieces = part.format_spec.values
            if not all(isinstance(piece, ast.Constant) for piece in pieces):
                raise self.unsupported(part.format_spec)
            spec = "".join(str(piece.value) for piece in pieces)
        if not FORMAT_SPEC.fullmatch(spec):
            raise self.refuse(part, f"the format {clip(spec, 20)!r} is not read; use a width under 100, e.g. {{i:02d}}",
                              f"형식 {josa(repr(clip(spec, 20)), '은/는')} 읽지 않습니다; {{i:02d}}처럼 100 미만의 너비를 쓰세요")
        value = repr(value) if part.conversion == ord("r") else str(value) if part.conversion == ord("s") else value
        try:
            return format(value, spec)
        except (ValueError, TypeError) as error:
            raise self.refuse(part, f"the format does not fit the value ({clip(str(error), 60)})",
                              f"형식이 값에 맞지 않습니다 ({clip(str(error), 60)})") from None

    def _Call(self, node: ast.Call) -> Any:  # pragma: no cover - overridden
        raise self.unsupported(node)

    # ---- bounds

    def bounded(self, node: ast.AST, value: Any) -> Any:
        if is_number(value) and not (abs(value) <= MAX_NUMBER if isinstance(value, int) else
                                     math.isfinite(value) and abs(value) <= MAX_NUMBER):
            raise self.refuse(node, f"a number over {MAX_NUMBER:,} (10**12) is not read: no layer argument is that "
                              "large", f"{MAX_NUMBER:,}(10**12)보다 큰 수는 읽지 않습니다: 그렇게 큰 레이어 인자는 없습니다")
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise self.refuse(node, f"a string over {MAX_STRING:,} characters is not read",
                              f"{MAX_STRING:,}자보다 긴 문자열은 읽지 않습니다")
        return value


def _home(name: str) -> str | None:
    """Where a Keras name is imported from, for a name the code uses without importing it."""
    for module in ("keras", "keras.layers", "keras.optimizers"):
        found = meaning(f"{module}.{name}")
        if found is not None and found.what not in ("keras", "unknown_layer", "activation"):
            return module
    return None


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float))  # bool too, as in Python: True + 1 == 2


def describe(value: Any) -> str:
    if isinstance(value, Ref):
        return clip(value.path, 60)
    if isinstance(value, LayerObject):
        return f"a {value.kind.type} layer"
    if isinstance(value, (UserFunction, UserClass)):
        return "a function or class defined in the code"
    return f"a {type(value).__name__}" if isinstance(value, PLAIN) else "a value of the model"


def josa_word(word: str, pair: str = "은/는") -> str:
    return josa(word, pair)


def arithmetic(ev: Evaluator, node: ast.BinOp, symbol: str, left: Any, right: Any) -> Any:
    """``left symbol right`` computed only once its size is known to be bounded."""
    numbers = is_number(left) and is_number(right)
    if symbol == "+" and (numbers or type(left) is type(right) and isinstance(left, (str, tuple, list))):
        if not numbers and len(left) + len(right) > (MAX_STRING if isinstance(left, str) else MAX_ITEMS):
            raise _too_long(ev, node)
        return left + right
    if symbol == "*" and not numbers:
        sequence, count = (left, right) if isinstance(left, (str, tuple, list)) else (right, left)
        if isinstance(sequence, (str, tuple, list)) and isinstance(count, int) and not isinstance(count, bool):
            if len(sequence) * max(count, 0) > (MAX_STRING if isinstance(sequence, str) else MAX_ITEMS):
                raise _too_long(ev, node)
            return sequence * count
    if not numbers:
        raise ev.refuse(node, f"{symbol} is read only between numbers (and + or * on strings, tuples and lists); "
                        f"here it is between {describe(left)} and {describe(right)}",
                        f"{josa(symbol, '은/는')} 숫자 사이(그리고 문자열·튜플·리스트의 +, *)에서만 읽습니다; 여기서는 "
                        f"{josa(describe(left), '과/와')} {describe(right)} 사이입니다")
    if symbol in ("/", "//", "%") and right == 0:
        raise ev.refuse(node, "division by zero", "0으로 나누었습니다")
    if symbol == "**":
        return _power(ev, node, left, right)
    return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
            "/": lambda: left / right, "//": lambda: left // right, "%": lambda: left % right}[symbol]()


def _power(ev: Evaluator, node: ast.BinOp, base: Any, exponent: Any) -> Any:
    if base == 0 and exponent < 0:
        raise ev.refuse(node, "0 to a negative power is a division by zero", "0의 음수 거듭제곱은 0으로 나누는 것입니다")
    if abs(base) > 1 and exponent > 0 and exponent * math.log2(abs(base)) > math.log2(MAX_NUMBER):
        raise ev.refuse(node, f"{clip(repr(base), 20)} ** {clip(repr(exponent), 20)} is over {MAX_NUMBER:,} (10**12): "
                        "not computed", f"{josa(f'{clip(repr(base), 20)} ** {clip(repr(exponent), 20)}', '은/는')} {MAX_NUMBER:,}"
                        "(10**12)를 넘습니다: 계산하지 않았습니다")
    try:
        result = base ** exponent
    except (OverflowError, ZeroDivisionError):
        raise ev.refuse(node, "this power cannot be computed", "이 거듭제곱은 계산할 수 없습니다") from None
    if isinstance(result, complex):
        raise ev.refuse(node, "this power is a complex number", "이 거듭제곱은 복소수입니다")
    return result


def _too_long(ev: Evaluator, node: ast.AST) -> CodeRefused:
    return ev.refuse(node, f"the result would be over {MAX_STRING:,} characters or {MAX_ITEMS:,} items: not computed",
                     f"결과가 {MAX_STRING:,}자나 항목 {MAX_ITEMS:,}개를 넘습니다: 계산하지 않았습니다")


def compare(ev: Evaluator, node: ast.Compare, op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, (ast.Is, ast.IsNot)):
        if left is not None and right is not None:
            raise ev.refuse(node, "is / is not are read only with None", "is / is not은 None과 함께일 때만 읽습니다")
        return (left is right) == isinstance(op, ast.Is)
    if not (isinstance(left, PLAIN) and isinstance(right, PLAIN)):
        raise ev.refuse(node, f"comparing {describe(left)} with {describe(right)} is not read",
                        f"{josa(describe(left), '과/와')} {describe(right)}의 비교는 읽지 않습니다")
    try:
        if isinstance(op, (ast.In, ast.NotIn)):
            return (left in right) == isinstance(op, ast.In)
        return {ast.Eq: lambda: left == right, ast.NotEq: lambda: left != right, ast.Lt: lambda: left < right,
                ast.LtE: lambda: left <= right, ast.Gt: lambda: left > right, ast.GtE: lambda: left >= right}[type(op)]()
    except TypeError:
        raise ev.refuse(node, f"{describe(left)} and {describe(right)} cannot be compared",
                        f"{josa(describe(left), '과/와')} {josa(describe(right), '은/는')} 비교할 수 없습니다") from None
