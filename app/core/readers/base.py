"""What every reader shares: its limits, its refusal, and the notes it writes about what it changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.text import Text

MAX_NOTE_LAYERS = 20  # layer names listed under one note; the count says how many there were in all


@dataclass(frozen=True)
class ReadLimits:
    """Plain limits (the core takes no Settings); each names the setting that sets it."""

    max_config_bytes: int = 8 * 1024 * 1024  # CNN_MAX_IMPORT_CONFIG_BYTES
    max_zip_entries: int = 64  # CNN_MAX_IMPORT_ZIP_ENTRIES
    max_json_depth: int = 64  # CNN_MAX_IMPORT_JSON_DEPTH
    max_layers: int = 2_000  # CNN_MAX_LAYERS


class ImportRefused(ValueError):
    """A file we will not read as a model: says what and where, and what to do instead.

    ``status`` is 413 for a limit, 422 otherwise; ``layer``/``name`` point at the Keras layer to blame (its
    index in the config's layer list) and ``loc`` at where in the file the problem lies."""

    def __init__(self, text: Text, *, status: int = 422, layer: int | None = None, name: str | None = None,
                 loc: tuple = (), kind: str = "refused"):
        super().__init__(text.en)
        self.text, self.status, self.layer, self.name, self.kind = text, status, layer, name, kind
        self.loc = ("body", "file", *loc)


@dataclass
class Note:
    """One change made while reading, with every layer it was made to."""

    message: Text
    layers: list[str] = field(default_factory=list)
    count: int = 0

    def to_json(self) -> dict:
        return {"message": self.message.to_json(), "layers": self.layers, "count": self.count}


class Notes:
    """Notes grouped by message: 443 Dropout layers losing the same ``noise_shape`` make one note, not 443."""

    def __init__(self) -> None:
        self._by_message: dict[Text, Note] = {}

    def add(self, message: Text, layer: str | None = None) -> None:
        note = self._by_message.setdefault(message, Note(message))
        if layer is not None:
            note.count += 1
            if len(note.layers) < MAX_NOTE_LAYERS:
                note.layers.append(layer)

    def to_json(self) -> list[dict]:
        return [note.to_json() for note in self._by_message.values()]

    def __len__(self) -> int:
        return len(self._by_message)


def refused(en: str, ko: str, layer: int | None = None, name: str | None = None, loc: tuple = (),
            kind: str = "refused") -> ImportRefused:
    return ImportRefused(Text(en, ko), layer=layer, name=name, loc=loc, kind=kind)
