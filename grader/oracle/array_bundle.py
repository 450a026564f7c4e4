"""Many small named arrays in one .npz: one byte buffer plus a JSON index, read in one go.

An .npz with thousands of tiny members spends most of its load time parsing headers;
the recorded oracle results and grading examples are thousands of tiny arrays.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def save_bundle(path: Path, arrays: dict[str, np.ndarray], meta: dict | None = None) -> None:
    """Write ``arrays`` (and a JSON-able ``meta``) to ``path``, in sorted name order."""
    index, chunks, offset = {}, [], 0
    for name in sorted(arrays):
        array = np.asarray(arrays[name])
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{name}: only numeric arrays go in a bundle, not {array.dtype}")
        index[name] = [array.dtype.str, list(array.shape), offset]
        chunks.append(array.tobytes())
        offset += array.nbytes
    blob = np.frombuffer(b"".join(chunks), dtype=np.uint8)
    np.savez_compressed(path, index=np.array(json.dumps({"arrays": index, "meta": meta or {}})), blob=blob)


def load_bundle(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and meta saved by save_bundle (arrays are read-only views of one buffer)."""
    with np.load(path, allow_pickle=False) as data:
        header, blob = json.loads(str(data["index"])), data["blob"]
    blob.flags.writeable = False
    arrays = {}
    for name, (dtype, shape, offset) in header["arrays"].items():
        dtype = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        arrays[name] = blob[offset : offset + count * dtype.itemsize].view(dtype).reshape(shape)
    return arrays, header["meta"]
