"""Statements of the code followed in order, as data: imports bind dotted names, assignments bind values, ``for``
over ``range(…)`` or a written list is unrolled, an ``if`` whose condition can be read takes its branch, functions
defined in the code are followed when called. Nothing is imported or run.

What only running could decide (a loop over data, an ``if`` on a command-line flag, a ``while``) is skipped when it
builds nothing, its names then unknown; when it adds layers, it is refused at its line with what to write instead.
"""

from __future__ import annotations

import ast
from typing import Any

from app.core.readers.code.builder import ARCHITECTURE_METHODS, Builder
from app.core.readers.code.layers import trainable_unread
from app.core.readers.code.names import is_keras_builder, meaning
from app.core.readers.code.values import (
    MODELS,
    CodeRefused,
    Identity,
    LayerObject,
    Ref,
    SequentialModel,
    Unknown,
    UserClass,
    UserFunction,
)
from app.core.text import Text, clip, josa

MAX_CALL_DEPTH = 20  # functions of the code calling each other
MAX_QUIET_ROUNDS = 10_000  # a loop that builds no layers and runs longer is skipped, its names then unknown
ITERATORS = {"range", "enumerate", "zip", "reversed"}


class _Return(Exception):
    def __init__(self, value: Any):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Interpreter(Builder):
    def run(self, tree: ast.Module) -> None:
        self.block(tree.body)

    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.step(statement)
            handler = getattr(self, f"_s_{type(statement).__name__}", None)
            if handler is not None:  # pass, global, raise, assert, …: nothing a model is built from
                handler(statement)

    # ---- values that may fail without mattering

    def soft(self, node: ast.expr) -> Any:
        """The value, or ``Unknown`` when only running the code could give it and it does not build the model."""
        try:
            return self.value(node)
        except CodeRefused as error:
            if error.status != 422 or error.fatal or self.builds_model([node]):
                error.fatal = True
                raise
            return Unknown(error)

    def resolve(self, node: ast.AST) -> Any:
        """What a name or dotted name stands for, without evaluating anything else; None when it cannot be told."""
        if isinstance(node, ast.Name):
            for scope in (self.frames[-1], self.frames[0]):
                if node.id in scope:
                    return scope[node.id]
            try:
                return self.lookup(node.id, node)
            except CodeRefused:
                return None
        if isinstance(node, ast.Attribute) and not node.attr.startswith("_"):
            base = self.resolve(node.value)
            return Ref(f"{base.path}.{node.attr}") if isinstance(base, Ref) else None
        return None

    def builds_model(self, nodes: list[ast.AST], seen: set | None = None) -> bool:
        """Whether this code constructs a layer or model, applies a layer, changes a model, or calls a function of the
        code that does."""
        seen = set() if seen is None else seen
        for tree in nodes:
            for node in ast.walk(tree):
                self.step(node)
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ARCHITECTURE_METHODS and \
                        isinstance(self.resolve(func.value), MODELS):
                    return True
                target = self.resolve(func)
                if isinstance(target, (LayerObject, Identity, SequentialModel)) or \
                        isinstance(target, Ref) and is_keras_builder(target.path) or \
                        isinstance(target, UserClass) and target.keras:
                    return True
                if isinstance(target, UserFunction) and id(target) not in seen:
                    seen.add(id(target))
                    if self.builds_model(target.node.body, seen):
                        return True
        return False

    # ---- statements

    def _s_Import(self, statement: ast.Import) -> None:
        for alias in statement.names:
            if alias.asname:
                self.frames[-1][alias.asname] = Ref(alias.name)
            else:
                root = alias.name.split(".")[0]
                self.frames[-1][root] = Ref(root)

    def _s_ImportFrom(self, statement: ast.ImportFrom) -> None:
        module = "." * statement.level + (statement.module or "")
        for alias in statement.names:
            if alias.name == "*":
                self.star_modules.append(module)
            else:
                self.frames[-1][alias.asname or alias.name] = Ref(f"{module}.{alias.name}")

    def _s_Assign(self, statement: ast.Assign) -> None:
        value = self.soft(statement.value)
        for target in statement.targets:
            self.bind(target, value)
            if isinstance(value, Unknown) and isinstance(target, ast.Name):
                self.deferred[target.id] = value.refusal

    def _s_AnnAssign(self, statement: ast.AnnAssign) -> None:
        if statement.value is not None:
            self.bind(statement.target, self.soft(statement.value))

    def _s_AugAssign(self, statement: ast.AugAssign) -> None:
        if isinstance(statement.target, ast.Name):
            combined = ast.BinOp(ast.Name(statement.target.id, ast.Load()), statement.op, statement.value)
            ast.copy_location(combined, statement)
            ast.copy_location(combined.left, statement.target)
            self.bind(statement.target, self.soft(combined))

    def _s_Expr(self, statement: ast.Expr) -> None:
        expression = statement.value
        if not isinstance(expression, ast.Call):
            return
        func = expression.func
        if isinstance(func, ast.Attribute) and isinstance(self.resolve(func.value), MODELS):
            try:
                self.value(expression)
            except CodeRefused as error:
                error.fatal = True
                raise
            return
        target = self.resolve(func)
        if isinstance(target, UserFunction) or self.builds_model([expression]):
            self.soft(expression)

    def _s_If(self, statement: ast.If) -> None:
        try:
            test = self.truth(statement.test, self.value(statement.test))
        except CodeRefused as error:
            if error.status != 422 or error.fatal:
                raise
            self.undecided(statement, [*statement.body, *statement.orelse], Text("an if", "if 문"), error)
            return
        self.block(statement.body if test else statement.orelse)

    def _s_For(self, statement: ast.For) -> None:
        try:
            items = self.iterable(statement.iter)
        except CodeRefused as error:
            if error.status != 422 or error.fatal:
                raise
            self.undecided(statement, [*statement.body, *statement.orelse], Text("a for loop", "for 문"), error)
            self.bind(statement.target, Unknown(error))
            return
        if len(items) > MAX_QUIET_ROUNDS and not self.builds_model([*statement.body, *statement.orelse]):
            self.undecided(statement, [*statement.body, *statement.orelse], Text(
                f"a loop of more than {MAX_QUIET_ROUNDS:,} rounds (not followed: it builds no layers)",
                f"{MAX_QUIET_ROUNDS:,}번 넘게 도는 반복문(레이어를 만들지 않아 따라가지 않음)"), None)
            self.bind(statement.target, Unknown(self.refuse(statement, "it is set by a loop that is not followed",
                                                            "따라가지 않은 반복문에서 값을 받습니다")))
            return
        for item in items:
            self.step(statement)
            self.bind(statement.target, item)
            try:
                self.block(statement.body)
            except _Break:
                break
            except _Continue:
                continue
        else:
            self.block(statement.orelse)

    def _s_While(self, statement: ast.While) -> None:
        self.undecided(statement, [*statement.body, *statement.orelse], Text("a while loop", "while 문"), None)

    def _s_Match(self, statement: ast.AST) -> None:
        self.undecided(statement, [s for case in statement.cases for s in case.body], Text("a match", "match 문"), None)

    def _s_With(self, statement: ast.With) -> None:
        for item in statement.items:
            if item.optional_vars is not None:
                self.bind(item.optional_vars, Unknown(self.refuse(item.context_expr, "the value of a with statement "
                                                                  "is only known by running the code", "with 문의 값은 "
                                                                  "코드를 실행해야 알 수 있습니다")))
        self.block(statement.body)

    _s_AsyncWith = _s_With

    def _s_Try(self, statement: ast.Try) -> None:
        self.block(statement.body)
        self.block(statement.orelse)
        self.block(statement.finalbody)

    _s_TryStar = _s_Try

    def _s_FunctionDef(self, statement: ast.FunctionDef) -> None:
        arguments = statement.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults = {arg.arg: self.soft(default)
                    for arg, default in zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults)}
        defaults.update({arg.arg: self.soft(default) for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults)
                         if default is not None})
        self.frames[-1][statement.name] = UserFunction(statement, defaults)

    _s_AsyncFunctionDef = _s_FunctionDef

    def _s_ClassDef(self, statement: ast.ClassDef) -> None:
        keras = False
        for base in statement.bases:
            found = self.resolve(base)
            if isinstance(found, Ref) and meaning(found.path) is not None:
                keras = True
        self.frames[-1][statement.name] = UserClass(statement.name, self.where(statement), keras)

    def _s_Return(self, statement: ast.Return) -> None:
        if len(self.frames) > 1:
            raise _Return(self.soft(statement.value) if statement.value is not None else None)

    def _s_Break(self, statement: ast.Break) -> None:
        raise _Break

    def _s_Continue(self, statement: ast.Continue) -> None:
        raise _Continue

    def _s_Delete(self, statement: ast.Delete) -> None:
        for target in statement.targets:
            if isinstance(target, ast.Name):
                self.frames[-1].pop(target.id, None)

    # ---- helpers

    def bind(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.frames[-1][target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            names = target.elts
            if isinstance(value, (tuple, list)) and len(value) == len(names) and \
                    not any(isinstance(name, ast.Starred) for name in names):
                for name, item in zip(names, value):
                    self.bind(name, item)
                return
            unknown = value if isinstance(value, Unknown) else Unknown(self.refuse(
                target, "these names are given the parts of a value the reader cannot split",
                "읽을 수 없는 값을 나누어 받은 이름입니다"))
            for name in names:
                self.bind(name.value if isinstance(name, ast.Starred) else name, unknown)
        elif isinstance(target, ast.Attribute) and target.attr == "trainable":
            self._set_trainable(target, value)

    def _set_trainable(self, target: ast.Attribute, value: Any) -> None:
        """``conv.trainable = False``, or ``base_model.trainable = False``: Keras freezes every layer it holds. The
        attribute of anything else (a variable of the script) does not touch the model."""
        owner = self.resolve(target.value)
        if owner is None or isinstance(value, Unknown):  # model.layers[3], or a value only running the code gives
            self.notes.add(trainable_unread(target.lineno, f"{clip(self.source(target), 40)} = …"))
            return
        self.set_trainable(owner, bool(value))  # as Keras's setter takes it

    def undecided(self, statement: ast.stmt, body: list[ast.stmt], what: Text, cause: CodeRefused | None) -> None:
        """A block only running the code could decide about: refused if it builds the model, else its names unknown."""
        why = Text(f" ({cause.root.text.en})", f" ({cause.root.text.ko})") if cause is not None else Text("", "")
        if self.builds_model(body):
            error = self.refuse(statement, f"{what.en} here decides which layers the model gets, and only running the "
                                f"code can tell{why.en}; write the layers out without it (a for loop over range(3) or "
                                "over a list written in the code is read)", f"여기의 {what.ko}은 모델이 어떤 레이어를 "
                                f"갖는지 정하는데, 코드를 실행해야만 알 수 있습니다{why.ko}; 그것 없이 레이어를 풀어 "
                                "쓰세요 (range(3)이나 코드에 쓴 리스트를 도는 for 문은 읽습니다)")
            error.fatal = True
            raise error
        if any(isinstance(node, ast.Attribute) and node.attr == "trainable" and isinstance(node.ctx, ast.Store)
               for inner in body for node in ast.walk(inner)):  # the fine-tuning loop: for layer in base.layers[:-10]
            head = clip(self.source(statement).splitlines()[0], 40)
            self.notes.add(trainable_unread(statement.lineno, f"{head} … .trainable = …"))
        unknown = Unknown(self.refuse(statement, f"it is set inside {what.en} that only running the code decides",
                                      f"코드를 실행해야만 정해지는 {what.ko} 안에서 값을 받습니다"))
        for node in body:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    self.frames[-1][inner.id] = unknown

    def iterable(self, node: ast.expr) -> Any:
        """What a for loop runs over: range(…), enumerate/zip/reversed of lists, or a tuple, list or string."""
        if isinstance(node, ast.Call) and not node.keywords and \
                isinstance(found := self.resolve(node.func), Ref) and found.path[9:] in ITERATORS and \
                found.path.startswith("builtins."):
            arguments = [self.value(argument) for argument in node.args]
            name = found.path[9:]
            if name == "range":
                if not 1 <= len(arguments) <= 3 or not all(isinstance(a, int) and not isinstance(a, bool)
                                                           for a in arguments) or (len(arguments) == 3 and
                                                                                   arguments[2] == 0):
                    raise self.refuse(node, "range() takes one to three whole numbers", "range()에는 정수 1~3개를 줍니다")
                return range(*arguments)
            if not all(isinstance(a, (tuple, list, str)) for a in arguments) or not arguments:
                raise self.refuse(node, f"{name}() is read over tuples, lists and strings written in the code",
                                  f"{josa(name + '()', '은/는')} 코드에 쓴 튜플, 리스트, 문자열에 대해서만 읽습니다")
            return list({"enumerate": lambda: enumerate(arguments[0]), "zip": lambda: zip(*arguments),
                         "reversed": lambda: reversed(arguments[0])}[name]())
        value = self.value(node)
        if isinstance(value, (tuple, list, str)):
            return value
        raise self.refuse(node, "a for loop is read over range(…) or a tuple or list written in the code",
                          "for 문은 range(…)나 코드에 쓴 튜플·리스트를 돌 때만 읽습니다")

    def call_function(self, function: UserFunction, node: ast.Call) -> Any:
        if len(self.frames) > MAX_CALL_DEPTH:
            error = self.refuse(node, f"functions of the code call each other more than {MAX_CALL_DEPTH} deep",
                                f"코드의 함수가 {MAX_CALL_DEPTH}단계보다 깊게 서로 부릅니다")
            error.fatal = True
            raise error
        frame = self.arguments(function, node)
        self.frames.append(frame)
        try:
            self.block(function.node.body)
            result = None
        except _Return as returned:
            result = returned.value
        finally:
            self.frames.pop()
        if isinstance(result, Unknown):
            raise self.from_unknown(node, f"{function.node.name}()", result)
        return result

    def arguments(self, function: UserFunction, node: ast.Call) -> dict[str, Any]:
        spec = function.node.args
        positional = [arg.arg for arg in [*spec.posonlyargs, *spec.args]]
        keyword_only = {arg.arg for arg in spec.kwonlyargs}
        frame: dict[str, Any] = {}
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                raise self.unsupported(argument)
        values = [self.value(argument) for argument in node.args]
        if len(values) > len(positional) and spec.vararg is None:
            raise self.refuse(node, f"{function.node.name}() is given {len(values)} arguments but takes "
                              f"{len(positional)}", f"{function.node.name}()에 인자 {len(values)}개를 주었지만 "
                              f"{len(positional)}개만 받습니다")
        frame.update(zip(positional, values))
        if spec.vararg is not None:
            frame[spec.vararg.arg] = tuple(values[len(positional):])
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.unsupported(keyword.value)
            if keyword.arg not in positional and keyword.arg not in keyword_only and spec.kwarg is None:
                raise self.refuse(keyword, f"{function.node.name}() has no argument {keyword.arg}",
                                  f"{function.node.name}()에는 {keyword.arg} 인자가 없습니다")
            frame[keyword.arg] = self.value(keyword.value)
        for name in [*positional, *keyword_only]:
            if name not in frame:
                if name not in function.defaults:
                    raise self.refuse(node, f"{function.node.name}() is not given its argument {name}",
                                      f"{function.node.name}()에 {name} 인자를 주지 않았습니다")
                frame[name] = function.defaults[name]
        return frame
