"""The model as the page shows it: a stack of blocks where a branch holds parallel lanes (each a stack; an empty
lane is the identity shortcut) closed by a merge layer. The same rules as the page's ``nest()``
(static/js/model/graph.js): a graph that does not nest so (NASNet's cells, a layer that leads nowhere) is None,
and is drawn as rows that name their inputs."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.spec import INPUT, ValidModel


@dataclass(frozen=True)
class Branch:
    lanes: tuple[tuple[Item, ...], ...]
    merge: int  # the merge layer's index


Item = int | Branch  # a layer's index, or a branch


class NotNested(Exception):
    pass


def nest(model: ValidModel) -> list[Item] | None:
    """The model's layers as a tree of lanes, or None when its graph does not nest into lanes."""
    layers = model.layers
    if not model.functional:
        return list(range(len(layers)))
    if not layers:
        return None
    position = {layer.name: layer.index for layer in layers}
    inputs = [[INPUT if name == INPUT else position[name] for name in layer.inputs] for layer in layers]
    consumers: dict[object, list[int]] = {INPUT: [], **{i: [] for i in range(len(layers))}}
    for i, sources in enumerate(inputs):
        for source in dict.fromkeys(sources):
            consumers[source].append(i)
    placed: list[int] = []
    output = len(layers) - 1

    def walk(start, items: list[Item]) -> tuple[list[Item], object, int | None]:
        """From a node already placed, forward to the model's output or to the merge this lane feeds."""
        current = start
        while True:
            after = consumers[current]
            if not after:
                if current != output:
                    raise NotNested  # a layer that leads nowhere
                return items, current, None
            if len(after) == 1 and len(inputs[after[0]]) == 1:
                placed.append(after[0])
                items.append(after[0])
                current = after[0]
            elif len(after) == 1 and inputs[after[0]].count(current) == 1:
                return items, current, after[0]  # the end of a lane
            else:
                branch, current = fork(current, after)
                items.append(branch)

    def fork(source, after: list[int]) -> tuple[Branch, int]:
        """The value of ``source`` feeds several layers: lanes that must all close in one merge."""
        lanes: dict[object, list[Item]] = {}
        merges = set()
        for consumer in after:
            if len(inputs[consumer]) > 1:
                merges.add(consumer)  # the source goes straight into a merge: an empty lane
                continue
            placed.append(consumer)
            items, end, merge = walk(consumer, [consumer])
            if merge is None:
                raise NotNested
            merges.add(merge)
            lanes[end] = items
        if len(merges) != 1:
            raise NotNested
        merge = merges.pop()
        ordered = []
        for source_of_merge in inputs[merge]:
            if source_of_merge == source:
                ordered.append(())
            elif source_of_merge in lanes:
                ordered.append(tuple(lanes.pop(source_of_merge)))
            else:
                raise NotNested  # the merge also takes something from outside this branch
        if lanes:
            raise NotNested
        placed.append(merge)
        return Branch(tuple(ordered), merge), merge

    try:
        items, _, merge = walk(INPUT, [])
    except NotNested:
        return None
    return items if merge is None and len(placed) == len(layers) else None


def count_layers(items) -> int:
    """Layers in a list of items (a branch counts its lanes' layers and its merge)."""
    return sum(1 + sum(count_layers(lane) for lane in item.lanes) if isinstance(item, Branch) else 1
               for item in items)
