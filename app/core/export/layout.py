"""The model drawn as the page draws it: a card per layer (its brick in the category's colour, type, name,
arguments, output shape, parameters), branches as frames of side-by-side lanes closed by a merge card that lists
what comes in from each lane; a graph that does not nest into lanes as rows that name their inputs; the totals at
the bottom. Placed once, in px at 1×, as shapes (shapes2d.py) that svg.py writes out.

Sizes are for reading on paper and on a projector: no text under 12 px, dark text on white or pale fills.
Everything is drawn, however tall (a 1,000-layer graph is some 60,000 px): the SVG stays a few MB at the layer
limit, and the PNG is bounded by its own pixel setting."""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.core.engine import LayerResult, ModelResult
from app.core.export.bricks import brick
from app.core.export.fonts import Font, fit, font_for, width
from app.core.export.shapes2d import Box, Drawing, Group, Label, Line
from app.core.export.tree import Branch, count_layers, nest
from app.core.export.words import config_items, words
from app.core.shapes import format_shape
from app.core.spec import INPUT
from app.core.summary import readable_size

MARGIN = 28
GAP = 12  # between blocks in a stack: the connector runs through it
BRICK_SLOT = 64  # the brick's column at a card's left
PAD_X, COLUMN_GAP = 12, 24
FIRST_BASELINE, LINE_PITCH, BOTTOM_PAD = 23, 19, 13
CARD_MIN_W, CARD_MAX_W, CARD_MIN_H = 240, 700, 58
CONFIG_ROOM = {False: 420, True: 250}  # the arguments' line is wrapped at this width: wide cards, cards in lanes
FRAME_PAD, FRAME_HEAD, LANE_PAD, LANE_HEAD, LANE_GAP, EMPTY_LANE_W = 10, 40, 8, 24, 10, 150

TEXT, TEXT_2, TEXT_3 = "#1b2232", "#465066", "#5f6a80"
LINE, LINE_STRONG, CONNECTOR = "#e3e6ec", "#cfd4dd", "#a9b4ca"
ACCENT = "#3a5bcc"
FRAMES = ("#f2f5fb", "#ffffff")  # a branch's fill by depth, alternating as on the page
LANE_FILLS = ("#ffffff", "#f6f8fc")


def _sans(text: str, size: int, bold: bool = False) -> Font:
    return font_for(text, size, bold)


def _mono(text: str, size: int, bold: bool = False) -> Font:
    return font_for(text, size, bold, mono=True)


@dataclass
class Text:
    """One line of a card's column."""

    text: str
    font: Font
    colour: str

    @property
    def width(self) -> float:
        return width(self.text, self.font)


class Card:
    """A layer's block: rows of a left text and an optional right-aligned one, beside its brick."""

    def __init__(self, rows: list[tuple[Text, Text | None]], category: str, shape, faded: bool = False,
                 title: str | None = None, kind: str = "layer"):
        self.rows, self.category, self.shape = rows, category, shape
        self.faded, self.title, self.kind = faded, title, kind
        natural = max(left.width + (COLUMN_GAP + right.width if right else 0) for left, right in rows)
        self.width = min(CARD_MAX_W, max(CARD_MIN_W, BRICK_SLOT + 2 * PAD_X + natural + 2))  # + rounding slack
        self.height = max(CARD_MIN_H, FIRST_BASELINE + LINE_PITCH * (len(rows) - 1) + BOTTOM_PAD)

    def place(self, x: float, y: float, w: float) -> list:
        group = Group(self.kind, title=self.title)
        group.shapes.append(Box(x, y, w, self.height, "#f8f9fb" if self.faded else "#ffffff",
                                LINE_STRONG if self.faded else "#d9dde5", rx=10, dash="5 4" if self.faded else None))
        group.shapes += brick(self.shape, self.category, x + 6, y + (self.height - 50) / 2, faded=self.faded)
        left_x, right_x = x + BRICK_SLOT + PAD_X, x + w - PAD_X
        for i, (left, right) in enumerate(self.rows):
            baseline = y + FIRST_BASELINE + i * LINE_PITCH
            room = right_x - left_x - (COLUMN_GAP + right.width if right else 0)
            shown = fit(left.text, left.font, room)
            group.shapes.append(Label(left_x, baseline, shown, left.font, left.colour,
                                      full=left.text if shown != left.text else None))
            if right:
                group.shapes.append(Label(right_x, baseline, right.text, right.font, right.colour, anchor="end"))
        return [group]


def wrap(items: list[str], font_of, room: float) -> list[str]:
    """" · "-joined items in lines no wider than ``room`` where they can be (an item wider stays whole)."""
    lines: list[str] = []
    for item in items:
        joined = f"{lines[-1]} · {item}" if lines else item
        if lines and width(joined, font_of(joined)) <= room:
            lines[-1] = joined
        else:
            lines.append(item)
    return lines


class Stack:
    """Items one under the other, joined by a short connector."""

    def __init__(self, items: list, linked: list[bool] | None = None):
        self.items = items
        self.linked = linked or [True] * len(items)  # a connector above each item that takes the one before
        self.width = max((item.width for item in items), default=0)
        self.height = sum(item.height for item in items) + GAP * max(0, len(items) - 1)

    def place(self, x: float, y: float, w: float) -> list:
        shapes = []
        for i, item in enumerate(self.items):
            if i and self.linked[i]:
                shapes.append(Line(x + 34, y - GAP, x + 34, y, CONNECTOR, 2))
            shapes += item.place(x, y, w)
            y += item.height + GAP
        return shapes


class Frame:
    """A branch: a head, lanes side by side (an empty one is the shortcut), the merge card under them."""

    def __init__(self, head: str, lanes: list[Stack | None], shortcut: list[str | None], merge: Card, depth: int,
                 lang: str):
        self.head, self.lanes, self.shortcut, self.merge, self.depth = head, lanes, shortcut, merge, depth
        self.lang = lang
        self.lane_w = [max(EMPTY_LANE_W, _tag_width(words.shortcut, through, lang) + 16) if lane is None
                       else lane.width + 2 * LANE_PAD for lane, through in zip(lanes, shortcut)]
        inner = max(sum(self.lane_w) + LANE_GAP * (len(lanes) - 1), merge.width)
        self.width = inner + 2 * FRAME_PAD
        self.lanes_h = LANE_HEAD + 2 * LANE_PAD + max((lane.height if lane else 90 for lane in lanes), default=0)
        self.height = FRAME_HEAD + self.lanes_h + GAP + merge.height + FRAME_PAD

    def place(self, x: float, y: float, w: float) -> list:
        group = Group("branch")
        group.shapes.append(Box(x, y, w, self.height, FRAMES[self.depth % 2], "#c9d1e3", rx=14))
        group.shapes += _glyph(x + FRAME_PAD + 2, y + 9)
        font = _sans(self.head, 14, bold=True)
        group.shapes.append(Label(x + FRAME_PAD + 36, y + 26, fit(self.head, font, w - 60), font, TEXT_2))
        widths = self._widths(w - 2 * FRAME_PAD)
        lane_x, lane_y = x + FRAME_PAD, y + FRAME_HEAD
        merge_y = lane_y + self.lanes_h + GAP
        for number, (lane, lane_w, through) in enumerate(zip(self.lanes, widths, self.shortcut), start=1):
            group.shapes += self._lane(number, lane, through, lane_x, lane_y, lane_w)
            wire = lane_x + (lane_w / 2 if lane is None else LANE_PAD + 34)
            group.shapes.append(Line(wire, lane_y + self.lanes_h, wire, merge_y, CONNECTOR, 2))
            lane_x += lane_w + LANE_GAP
        group.shapes += self.merge.place(x + FRAME_PAD, merge_y, w - 2 * FRAME_PAD)
        return [group]

    def _widths(self, inner: float) -> list[float]:
        """Extra room goes to the lanes with blocks (to every lane when all are shortcuts)."""
        extra = inner - (sum(self.lane_w) + LANE_GAP * (len(self.lanes) - 1))
        growing = [i for i, lane in enumerate(self.lanes) if lane is not None] or list(range(len(self.lanes)))
        return [w + (extra / len(growing) if i in growing else 0) for i, w in enumerate(self.lane_w)]

    def _lane(self, number: int, lane: Stack | None, through: str | None, x: float, y: float, w: float) -> list:
        shapes = [Box(x, y, w, self.lanes_h, LANE_FILLS[self.depth % 2], "#b8c2d8", rx=10, dash="6 4")]
        label = getattr(words.lane(number), self.lang)
        shapes.append(Label(x + 10, y + 17, label, _sans(label, 12, bold=True), TEXT_3))
        top = y + LANE_HEAD + LANE_PAD
        if lane is None:  # the input passes unchanged: a wire, and a tag saying so with its shape
            shapes.append(Line(x + w / 2, top - 4, x + w / 2, y + self.lanes_h, CONNECTOR, 2, dash="6 5"))
            shapes += _tag(getattr(words.shortcut, self.lang), through or "", x + w / 2, top + (self.lanes_h - LANE_HEAD) / 2 - 24)
            return shapes
        shapes += lane.place(x + LANE_PAD, top, w - 2 * LANE_PAD)
        bottom = top + lane.height
        if bottom < y + self.lanes_h:  # a shorter lane: its value runs on down to the merge
            shapes.append(Line(x + LANE_PAD + 34, bottom, x + LANE_PAD + 34, y + self.lanes_h, CONNECTOR, 2))
        return shapes


def _glyph(x: float, y: float) -> list:
    """The page's branch mark: a fork in the accent colour on a pale square."""
    return [Box(x, y, 26, 26, "#edf1fd", rx=7), Line(x + 13, y + 5, x + 13, y + 21, ACCENT, 1.8),
            Line(x + 13, y + 10, x + 6, y + 17, ACCENT, 1.8), Line(x + 13, y + 10, x + 20, y + 17, ACCENT, 1.8)]


def _tag_fonts(title: str, shape: str) -> tuple[Font, Font]:
    return _sans(title, 13, bold=True), _mono(shape, 13)


def _tag_width(title, shape: str | None, lang: str) -> float:
    title = getattr(title, lang)
    fonts = _tag_fonts(title, shape or "")
    return max(width(title, fonts[0]), width(shape or "", fonts[1])) + 20


def _tag(title: str, shape: str, cx: float, y: float) -> list:
    fonts = _tag_fonts(title, shape)
    w = max(width(title, fonts[0]), width(shape, fonts[1])) + 20
    return [Box(cx - w / 2, y, w, 46, "#f7f8fb", LINE, rx=9),
            Label(cx, y + 19, title, fonts[0], TEXT_2, anchor="middle"),
            Label(cx, y + 37, shape, fonts[1], TEXT, anchor="middle")]


class Block:
    """A fixed piece: the header, the totals."""

    def __init__(self, lines: list[Text], boxed: bool):
        self.lines, self.boxed = lines, boxed
        self.width = max(line.width for line in lines) + (2 * 16 if boxed else 0)
        pitch = [line.font.size + 8 for line in lines]
        self.height = sum(pitch) + (20 if boxed else 4)
        self.pitch = pitch

    def place(self, x: float, y: float, w: float) -> list:
        shapes = [Box(x, y, w, self.height, "#ffffff", "#d9dde5", rx=10)] if self.boxed else []
        inset = 16 if self.boxed else 0
        baseline = y + (10 if self.boxed else 0)
        for line, pitch in zip(self.lines, self.pitch):
            baseline += pitch
            shown = fit(line.text, line.font, w - 2 * inset)
            shapes.append(Label(x + inset, baseline - 6, shown, line.font, line.colour,
                                full=line.text if shown != line.text else None))
        return shapes


class Diagram:
    """Builds the drawing of one model result."""

    def __init__(self, result: ModelResult, lang: str, caption: str | None = None):
        self.result, self.lang, self.caption = result, lang, caption
        self.by_name = {row.layer.name: row for row in result.layers}

    def drawing(self) -> Drawing:
        tree = nest(self.result.model)
        body = self._stack(tree, 0) if tree is not None else self._rows()
        parts = [self._header(tree is None), Stack([self._input_card(), *body.items], [True, *body.linked]),
                 self._totals()]
        inner = max(part.width for part in parts)
        shapes, y = [], MARGIN
        for part in parts:
            shapes += part.place(MARGIN, y, inner)
            y += part.height + 2 * GAP
        width_px, height_px = math.ceil(inner + 2 * MARGIN), math.ceil(y - 2 * GAP + MARGIN)  # whole pixels
        return Drawing(width_px, height_px, self._title(), self.lang, [Box(0, 0, width_px, height_px, "#ffffff"), *shapes])

    def _say(self, text) -> str:
        return text.en if self.lang == "en" else text.ko

    def _title(self) -> str:
        return self._say(words.title(self.result.model.functional, len(self.result.layers)))

    def _header(self, rows: bool) -> Block:
        title = self._title()
        model = self.result.model
        output = self.result.layers[-1].output_shape if self.result.layers else model.input_shape
        lines = [Text(title, _sans(title, 20, bold=True), TEXT)]
        flow = self._say(words.flow(format_shape(model.input_shape), format_shape(output)))
        lines.append(Text(flow, _sans(flow, 14), TEXT_2))
        for extra in ([self._say(words.rows_note)] if rows else []) + ([self.caption] if self.caption else []):
            lines.append(Text(extra, _sans(extra, 14), TEXT_2))
        return Block(lines, boxed=False)

    def _input_card(self) -> Card:
        shape = self.result.model.input_shape
        label = self._say(words.input_title)
        text = format_shape(shape)
        return Card([(Text(label, _sans(label, 15, bold=True), TEXT), Text(text, _mono(text, 14, bold=True), TEXT)),
                     (Text("keras.Input", _mono("k", 13), TEXT_3), None)], "input", shape, kind="input")

    def _card(self, row: LayerResult, takes: list[tuple[str, str]] | None = None, compact: bool = False) -> Card:
        """Wide: the type beside the shape, the name beside the parameters. Compact (in a lane): the shape and
        parameters on a row of their own under the name, and the arguments wrapped narrower."""
        layer, inf = row.layer, row.inference
        colour = TEXT if row.used else TEXT_3
        shape, params = format_shape(inf.output_shape), self._say(words.params(inf.trainable + inf.non_trainable))
        kind = Text(layer.kind.type, _sans(layer.kind.type, 15, bold=True), colour)
        name = Text(layer.name, _mono(layer.name, 13), TEXT_3)
        shape_text = Text(shape, _mono(shape, 14, bold=True), colour)
        params_text = Text(params, _sans(params, 13), TEXT_3)
        if compact:
            rows = [(kind, None), (name, None), (shape_text, params_text)]
        else:
            rows = [(kind, shape_text), (name, params_text)]
        config = config_items(layer)
        for line in wrap(config, lambda t: _sans(t, 13), CONFIG_ROOM[compact]) if config else ():
            rows.append((Text(line, _sans(line, 13), TEXT_2), None))
        rows += [(Text(f"← {source}", _mono(source, 13), TEXT_2), Text(shape_in, _mono(shape_in, 13), TEXT_2))
                 for source, shape_in in takes or ()]
        if not row.used:
            note = self._say(words.unused)
            rows.append((Text(note, _sans(note, 13, bold=True), "#8a5a00"), None))
        return Card(rows, layer.kind.category, inf.output_shape, faded=not row.used,
                    title=f"{layer.name} ({layer.kind.type})")

    def _takes(self, row: LayerResult) -> list[tuple[str, str]]:
        """("conv2d_1", "(None, 8, 8, 32)") for each input: drawn "← conv2d_1" with the shape at the right."""
        return [(self._say(words.model_input) if name == INPUT else name, format_shape(shape))
                for name, shape in zip(row.layer.inputs, row.input_shapes or ())]

    def _stack(self, items: list, depth: int) -> Stack:
        return Stack([self._frame(item, depth) if isinstance(item, Branch)
                      else self._card(self.result.layers[item], compact=depth > 0) for item in items])

    def _frame(self, branch: Branch, depth: int) -> Frame:
        merge = self.result.layers[branch.merge]
        lanes = [self._stack(list(lane), depth + 1) if lane else None for lane in branch.lanes]
        shapes = [format_shape(s) for s in merge.input_shapes]
        shortcut = [shape if not lane else None for lane, shape in zip(branch.lanes, shapes)]
        layers = count_layers([branch])
        params = sum(self._params(i) for lane in branch.lanes for i in _indices(lane)) + self._params(branch.merge)
        head = self._say(words.branch(len(branch.lanes), layers, params))
        return Frame(head, lanes, shortcut, self._card(merge, self._takes(merge)), depth, self.lang)

    def _params(self, index: int) -> int:
        row = self.result.layers[index]
        return row.inference.trainable + row.inference.non_trainable if row.counted else 0

    def _rows(self) -> Stack:
        """Every layer in order; one whose input is not simply the row above names what it takes."""
        cards, linked, previous = [], [], INPUT
        for row in self.result.layers:
            plain = list(row.layer.inputs) == [previous]
            cards.append(self._card(row, None if plain else self._takes(row)))
            linked.append(plain)
            previous = row.layer.name
        return Stack(cards, linked)

    def _totals(self) -> Block:
        trainable, non_trainable = self.result.totals()
        total = trainable + non_trainable
        size = readable_size(self.result._weight_bytes(trainable, non_trainable)["total"])  # as the summary sizes it
        first = self._say(words.total(total, size))
        second = self._say(words.split(trainable, non_trainable))
        macs = sum(r.inference.macs or 0 for r in self.result.layers if r.counted)
        output = self.result.layers[-1].output_shape if self.result.layers else self.result.model.input_shape
        third = self._say(words.more(format_shape(output), len(self.result.layers), macs))
        return Block([Text(first, _sans(first, 17, bold=True), TEXT), Text(second, _sans(second, 14), TEXT_2),
                      Text(third, _sans(third, 14), TEXT_2)], boxed=True)


def _indices(items) -> list[int]:
    out = []
    for item in items:
        if isinstance(item, Branch):
            out += [i for lane in item.lanes for i in _indices(lane)] + [item.merge]
        else:
            out.append(item)
    return out


def layout(result: ModelResult, lang: str = "en", caption: str | None = None) -> Drawing:
    """The drawing of a model Keras can build (the caller refuses the others)."""
    return Diagram(result, lang, caption).drawing()
