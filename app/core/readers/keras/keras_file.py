"""The architecture JSON out of a model file, read as hostile data: a ``.keras`` zip's ``config.json``, a legacy
``.h5`` file's ``model_config`` attribute, or a ``model.to_json()`` file itself.

Told apart by their first bytes, not their names. Bounded before anything is parsed: the zip's central
directory and number of entries, ``config.json``'s declared and actually inflated size, the JSON's size, and
HDF5 is read in a process of its own (``h5_attrs.py``) with a deadline and a memory cap. Nothing is extracted,
and nothing in the file is imported or run: the result is plain JSON.
"""

from __future__ import annotations

import io
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.core.readers.base import ImportRefused, ReadLimits
from app.core.text import Text, clip, josa

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
HDF5_OFFSETS = (0, 512, 1024, 2048)  # where HDF5 looks for its superblock (after a user block)
ZIP_END = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP_END_SIZE, ZIP64_LOCATOR_SIZE, ZIP64_END_SIZE = 22, 20, 56
MAX_ZIP_COMMENT = 65_535
MAX_CENTRAL_DIRECTORY = 1024 * 1024  # a .keras lists 3 files in ~200 bytes; zipfile reads all of it into memory
MAX_METADATA_BYTES = 64 * 1024
H5_TIMEOUT_S = 20.0  # reading one attribute takes ~0.2 s, mostly starting Python and loading HDF5
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
               RuntimeError, NotImplementedError, ValueError)


@dataclass
class Container:
    """The parsed architecture JSON and what the file said about itself."""

    document: Any
    source: dict


def read_container(file: BinaryIO, filename: str | None, limits: ReadLimits) -> Container:
    size = _size(file)
    if size == 0:
        raise ImportRefused(Text("the file is empty; choose a .keras, .h5 or .json model file",
                                 "파일이 비어 있습니다; .keras, .h5, .json 모델 파일을 고르세요"))
    head = _read_at(file, 0, 8)
    if head.startswith(b"PK"):
        document, source = _read_keras_zip(file, size, limits)
    elif any(_read_at(file, offset, 8) == HDF5_SIGNATURE for offset in HDF5_OFFSETS if offset < size):
        document, source = _read_h5(file, limits)
    elif head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[", b""):
        file.seek(0)
        data = file.read(limits.max_config_bytes + 1)
        if len(data) > limits.max_config_bytes:
            raise _config_too_big("the JSON file", size, limits)
        document, source = parse_json(data, "the JSON file", limits), {"format": "json"}
    else:
        raise ImportRefused(_not_a_model(filename, head))
    return Container(document, {**source, "filename": clip(filename or "", 200) or None, "bytes": size})


def parse_json(data: bytes, what: str, limits: ReadLimits) -> Any:
    """JSON as plain data; any failure is a refusal that says what was wrong and where."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(Text(f"{what} is not UTF-8 text (byte {error.start:,} cannot be read)",
                                 f"{josa(_ko(what), '이/가')} UTF-8 텍스트가 아닙니다 ({error.start:,}번째 바이트를 읽을 수 없습니다)"))
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(what, limits)
    except json.JSONDecodeError as error:
        raise ImportRefused(Text(f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                                 f"{josa(_ko(what), '이/가')} 올바른 JSON이 아닙니다: {error.msg} "
                                 f"({error.lineno}행 {error.colno}열)"), kind="json_invalid")
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise ImportRefused(Text(f"{what} is not valid JSON: {clip(str(error))}",
                                 f"{josa(_ko(what), '이/가')} 올바른 JSON이 아닙니다: {clip(str(error))}"),
                            kind="json_invalid")


def too_deep(what: str, limits: ReadLimits) -> ImportRefused:
    return ImportRefused(Text(f"{what} is nested too deeply (more than {limits.max_json_depth} levels, setting "
                              "CNN_MAX_IMPORT_JSON_DEPTH); Keras writes at most about 11",
                              f"{josa(_ko(what), '이/가')} 너무 깊이 중첩되어 있습니다 (한도 {limits.max_json_depth}단계, 설정 "
                              "CNN_MAX_IMPORT_JSON_DEPTH); Keras가 쓰는 설정은 11단계 정도입니다"), kind="too_deep")


def _ko(what: str) -> str:
    return {"the JSON file": "JSON 파일", "config.json": "config.json", "model_config": "model_config"}.get(what, what)


def _size(file: BinaryIO) -> int:
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _read_at(file: BinaryIO, offset: int, count: int) -> bytes:
    file.seek(offset)
    return file.read(count)


def _not_a_model(filename: str | None, head: bytes) -> Text:
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".keras":
        return Text("this .keras file is not a zip archive (a .keras file is one); it may be damaged or cut short: "
                    "save it again with model.save('name.keras')",
                    ".keras 파일이 zip 형식이 아닙니다 (.keras는 zip입니다); 손상되었거나 잘렸을 수 있습니다: "
                    "model.save('name.keras')로 다시 저장하세요")
    if suffix in (".h5", ".hdf5"):
        return Text("this .h5 file does not start like an HDF5 file; it may be damaged: save it again",
                    ".h5 파일이 HDF5 파일처럼 시작하지 않습니다; 손상되었을 수 있으니 다시 저장하세요")
    shown = head[:8].hex(" ")
    return Text(f"this is not a model file Keras writes (it starts with bytes {shown}); choose a .keras file "
                "(model.save), a legacy .h5 file or a model.to_json() .json file",
                f"Keras가 쓰는 모델 파일이 아닙니다 (처음 바이트: {shown}); .keras 파일(model.save), 예전 .h5 파일, "
                "model.to_json()으로 만든 .json 파일 중 하나를 고르세요")


def _config_too_big(what: str, size: int, limits: ReadLimits) -> ImportRefused:
    return ImportRefused(Text(f"{what} holds {size:,} bytes of architecture; the limit is {limits.max_config_bytes:,} "
                              "(setting CNN_MAX_IMPORT_CONFIG_BYTES); the largest keras.applications model needs ~1 MB",
                              f"{josa(_ko(what), '은/는')} 구조 정보가 {size:,}바이트입니다; 한도는 {limits.max_config_bytes:,}바이트입니다 "
                              "(설정 CNN_MAX_IMPORT_CONFIG_BYTES); keras.applications의 가장 큰 모델도 1 MB 정도입니다"),
                         status=413, kind="too_large")


def _broken(kind: str, reason: str) -> ImportRefused:
    if kind == "zip":
        return ImportRefused(Text(f"the .keras file is damaged or cut short ({clip(reason)}); download or save it again",
                                  f".keras 파일이 손상되었거나 잘렸습니다 ({clip(reason)}); 다시 받거나 다시 저장하세요"),
                             kind="corrupt")
    return ImportRefused(Text(f"the .h5 file is damaged or cut short ({clip(reason)}); download or save it again",
                              f".h5 파일이 손상되었거나 잘렸습니다 ({clip(reason)}); 다시 받거나 다시 저장하세요"),
                         kind="corrupt")


# ---- .keras: a zip of config.json, metadata.json and model.weights.h5


def _read_keras_zip(file: BinaryIO, size: int, limits: ReadLimits) -> tuple[Any, dict]:
    _check_central_directory(file, size)
    try:
        archive = zipfile.ZipFile(file)
        entries = archive.infolist()
    except READ_ERRORS as error:
        raise _broken("zip", str(error))
    if len(entries) > limits.max_zip_entries:
        raise ImportRefused(Text(f"the zip holds {len(entries):,} files; a .keras file holds 3 and the limit is "
                                 f"{limits.max_zip_entries:,} (setting CNN_MAX_IMPORT_ZIP_ENTRIES)",
                                 f"zip에 파일이 {len(entries):,}개 있습니다; .keras 파일에는 3개가 있고 한도는 "
                                 f"{limits.max_zip_entries:,}개입니다 (설정 CNN_MAX_IMPORT_ZIP_ENTRIES)"),
                            status=413, kind="too_many_entries")
    names = {info.filename: info for info in entries}
    if "config.json" not in names:
        raise ImportRefused(Text("the zip has no config.json, so it is not a .keras model file; save the model with "
                                 "model.save('name.keras')",
                                 "zip에 config.json이 없어서 .keras 모델 파일이 아닙니다; model.save('name.keras')로 "
                                 "저장하세요"), loc=("config.json",))
    config = _read_entry(archive, names["config.json"], limits.max_config_bytes,
                         lambda n: _config_too_big("config.json", n, limits))
    source: dict[str, Any] = {"format": "keras", "weights": "model.weights.h5" in names}
    if "metadata.json" in names:
        source.update(_metadata(archive, names["metadata.json"], limits))
    return parse_json(config, "config.json", limits), source


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, too_big) -> bytes:
    """At most ``limit`` bytes: the declared size is checked first, and then what actually inflates (a bomb lies)."""
    if info.file_size > limit:
        raise too_big(info.file_size)
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)
    except READ_ERRORS as error:
        raise _broken("zip", f"{info.filename}: {error}")
    if len(data) > limit:
        raise too_big(len(data))
    return data


def _metadata(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ReadLimits) -> dict:
    data = _read_entry(archive, info, MAX_METADATA_BYTES, lambda n: _broken("zip", f"metadata.json has {n:,} bytes"))
    try:
        meta = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(meta, dict):
        return {}
    return {key: clip(meta[key], 100) for key in ("keras_version", "date_saved") if isinstance(meta.get(key), str)}


def _check_central_directory(file: BinaryIO, size: int) -> None:
    """Refuse a central directory zipfile would spend long reading, before it reads it.

    zipfile reads the whole directory into memory and parses entries until its declared size is used up, so
    the declared size is the bound (the entry count in the end record is not). Found as zipfile finds it:
    the end record in the last 64 kB, and the ZIP64 end record its locator points to."""
    tail_size = min(size, ZIP_END_SIZE + MAX_ZIP_COMMENT)
    tail_start = size - tail_size
    tail = _read_at(file, tail_start, tail_size)
    at = tail.rfind(ZIP_END)
    if at < 0 or len(tail) - at < ZIP_END_SIZE:
        raise _broken("zip", "the end of the zip is missing")
    directory = int.from_bytes(tail[at + 12: at + 16], "little")
    locator = tail_start + at - ZIP64_LOCATOR_SIZE
    if locator >= 0 and _read_at(file, locator, 4) == ZIP64_LOCATOR:
        record = _read_at(file, locator, ZIP64_LOCATOR_SIZE)
        end64 = _read_at(file, int.from_bytes(record[8:16], "little"), ZIP64_END_SIZE)
        if len(end64) == ZIP64_END_SIZE:
            directory = int.from_bytes(end64[40:48], "little")
    if directory > MAX_CENTRAL_DIRECTORY:
        raise ImportRefused(Text(f"the zip's list of files takes {directory:,} bytes; a .keras file's takes a few "
                                 "hundred. This is not a .keras file",
                                 f"zip의 파일 목록이 {directory:,}바이트입니다; .keras 파일은 수백 바이트입니다. "
                                 ".keras 파일이 아닙니다"), status=413, kind="too_many_entries")
    file.seek(0)


# ---- legacy .h5: the root attribute model_config


def _read_h5(file: BinaryIO, limits: ReadLimits) -> tuple[Any, dict]:
    answer = _h5_attributes(file, limits)
    error = answer.get("error")
    if error == "config_size":
        raise _config_too_big("model_config", int(answer.get("bytes", 0)), limits)
    if error in ("config_type", "config_text"):
        raise ImportRefused(Text("the .h5 file's model_config attribute is not UTF-8 text",
                                 ".h5 파일의 model_config 속성이 UTF-8 텍스트가 아닙니다"), kind="corrupt")
    if error is not None:
        raise _broken("h5", str(answer.get("reason") or error))
    if answer.get("model_config") is None:
        if answer.get("weights"):
            raise ImportRefused(Text("the .h5 file holds weights but no architecture (no model_config: it was written "
                                     "by save_weights); save the whole model with model.save('name.keras')",
                                     ".h5 파일에 가중치만 있고 구조가 없습니다 (model_config 없음: save_weights로 저장됨); "
                                     "model.save('name.keras')로 모델 전체를 저장하세요"), kind="no_config")
        raise ImportRefused(Text("the .h5 file holds no Keras model (no model_config attribute); save the model with "
                                 "model.save('name.keras')", ".h5 파일에 Keras 모델이 없습니다 (model_config 속성 없음); "
                                 "model.save('name.keras')로 저장하세요"), kind="no_config")
    source = {"format": "h5", "weights": bool(answer.get("weights"))}
    source.update({key: answer[key] for key in ("keras_version", "backend") if isinstance(answer.get(key), str)})
    return parse_json(answer["model_config"].encode("utf-8"), "model_config", limits), source


def _h5_attributes(file: BinaryIO, limits: ReadLimits) -> dict:
    rollover = getattr(file, "rollover", None)
    if rollover is not None:  # a SpooledTemporaryFile still in memory: give it a descriptor to hand over
        rollover()
    try:
        descriptor = file.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):  # e.g. BytesIO: copied to a real file
        with tempfile.TemporaryFile() as copy:
            file.seek(0)
            shutil.copyfileobj(file, copy)
            return _h5_attributes(copy, limits)
    file.seek(0)
    script = Path(__file__).with_name("h5_attrs.py")
    env = {"PATH": os.environ.get("PATH", ""), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, "-I", str(script), str(limits.max_config_bytes)], stdin=descriptor,
                              capture_output=True, timeout=H5_TIMEOUT_S, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise _broken("h5", f"reading it took more than {H5_TIMEOUT_S:.0f} s")
    if done.returncode != 0:
        raise _broken("h5", f"the HDF5 reader stopped with code {done.returncode}")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        answer = None
    return answer if isinstance(answer, dict) else {"error": "unreadable", "reason": "no answer from the reader"}
