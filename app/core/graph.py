"""The layers as a graph: which ones lead to the output, and the order Keras's functional summary lists them in."""

from __future__ import annotations

from app.core.spec import INPUT, ValidModel


def leads_to_output(model: ValidModel) -> set[str]:
    """Names of the layers the output (the last layer) depends on, itself included; Keras leaves the others out."""
    if not model.layers:
        return set()
    inputs = {layer.name: layer.inputs for layer in model.layers}
    needed, todo = set(), [model.layers[-1].name]
    while todo:
        name = todo.pop()
        if name not in needed and name != INPUT:
            needed.add(name)
            todo.extend(inputs[name])
    return needed


def keras_order(model: ValidModel) -> tuple[list[str], bool]:
    """The model's layers (INPUT first among equals) as ``keras.Model(...).layers`` orders them, and whether
    Keras's summary treats the graph as a plain chain (no "Connected to" column).

    Keras (``ops.function.map_graph``) walks depth-first from the output, numbering layers as it first meets them,
    gives each its longest distance to the output, and lists them by that distance, farthest first, ties in the
    order they were met. The walk is iterative here: NASNetLarge is over 1,000 layers deep.
    """
    inputs = {layer.name: layer.inputs for layer in model.layers}
    inputs[INPUT] = ()
    output = model.layers[-1].name
    met, finished = {output: 0}, []
    stack = [(output, iter(inputs[output]))]
    while stack:
        name, pending = stack[-1]
        for source in pending:
            if source not in met:
                met[source] = len(met)
                stack.append((source, iter(inputs[source])))
                break
        else:
            stack.pop()
            finished.append(name)
    depth = {output: 0}
    for name in reversed(finished):
        for source in inputs[name]:
            depth[source] = max(depth[name] + 1, depth.get(source, 0))
    order = sorted(met, key=lambda name: (-depth[name], met[name]))
    by_depth = {}
    for name in order:
        by_depth[depth[name]] = by_depth.get(depth[name], 0) + 1
    chain = all(count == 1 for count in by_depth.values()) and all(len(inputs[name]) <= 1 for name in order)
    return order, chain
