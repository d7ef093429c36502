"""Reads a legacy Keras ``.h5`` file's root attributes, in a process of its own: ``python -I h5_attrs.py LIMIT``.

The file comes in on stdin (a real file, so HDF5 can seek in it); the answer goes out on stdout as one JSON
object: ``{"model_config": str | null, "keras_version", "backend", "weights": bool}`` or ``{"error": kind}``.

Why a process: HDF5 is a large C library parsing a hostile file. Here a crash, a hang or a runaway allocation
costs this process (killed by its parent's timeout, capped by an address-space limit), never the web server.
Only attributes of the root group are read; nothing else in the file is touched, and nothing in it can run.
"""

import json
import resource
import sys

ADDRESS_SPACE = 2 * 1024**3  # Python, numpy and HDF5 need ~0.5 GB of address space; the config's copies the rest


def _text(value) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return value
    if getattr(value, "dtype", None) is not None and value.shape == ():  # a numpy scalar of bytes
        return _text(value.item())
    return None


def main() -> None:
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE + 4 * limit,) * 2)
    import h5py  # after the limit: it loads HDF5

    answer: dict = {}
    try:
        with open(0, "rb", closefd=False) as stream, h5py.File(stream, "r") as h5:
            for name in ("keras_version", "backend"):
                if name in h5.attrs:
                    text = _text(h5.attrs[name])
                    answer[name] = text[:100] if text else None
            answer["weights"] = "model_weights" in h5
            if "model_config" in h5.attrs:
                config = _text(h5.attrs["model_config"])
                if config is None:
                    answer = {"error": "config_type"}
                elif len(config) > limit:
                    answer = {"error": "config_size", "bytes": len(config)}
                else:
                    answer["model_config"] = config
            else:
                answer["model_config"] = None
    except MemoryError:
        answer = {"error": "memory"}
    except UnicodeDecodeError:
        answer = {"error": "config_text"}
    except Exception as error:  # anything HDF5 says about a broken file: the parent explains it
        answer = {"error": "unreadable", "reason": str(error)[:200]}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
