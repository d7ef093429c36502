"""Readers: outside formats turned into our spec, read as data and never executed.

``read_model_file`` takes a ``.keras`` file, a legacy ``.h5`` file or a ``model.to_json()`` file and answers the
``/api/shapes`` body it describes, the notes on what was changed on the way, and what the file said about itself.

The Keras readers live in ``keras/``, the Python-code reader (``app.core.readers.code.read_code``) in ``code/``;
``base`` holds what both share: limits, the refusal and notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from app.core.readers.base import ImportRefused, Note, Notes, ReadLimits
from app.core.readers.keras.graph import read_graph
from app.core.readers.keras.keras_file import read_container
from app.core.readers.keras.layers import spec_layers

__all__ = ["ImportRefused", "Imported", "Note", "ReadLimits", "read_model_config", "read_model_file"]


@dataclass
class Imported:
    model: dict  # the /api/shapes body
    notes: Notes
    source: dict  # format, filename, bytes, keras_version, backend, weights, class_name, name, layers

    def to_json(self) -> dict:
        return {"model": self.model, "notes": self.notes.to_json(), "source": self.source}


def read_model_file(file: BinaryIO, filename: str | None, limits: ReadLimits) -> Imported:
    """Raises ImportRefused (status 413 or 422, naming the layer to blame) for anything it will not read."""
    container = read_container(file, filename, limits)
    imported = read_model_config(container.document, limits)
    imported.source = {**container.source, **imported.source}
    return imported


def read_model_config(document: object, limits: ReadLimits) -> Imported:
    """The same, from an architecture JSON already parsed (``json.loads(model.to_json())``)."""
    notes = Notes()
    graph = read_graph(document, notes, limits)
    layers = spec_layers(graph, notes)
    source = {"class_name": graph.class_name, "name": graph.name, "layers": graph.file_layers}
    return Imported({"input_shape": graph.input_shape, "layers": layers}, notes, source)
