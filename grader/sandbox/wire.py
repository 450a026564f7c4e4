"""Messages between the grader and the worker: a JSON header, then each array's raw bytes.

No pickle crosses the boundary: the grader decodes replies with ``json.loads`` and
``np.frombuffer`` of numeric dtypes only, so a reply can carry data but never code.
This module is imported by both sides and needs only the standard library and NumPy.
"""

import json

import numpy as np

MAX_MESSAGE_BYTES = 512 * 1024 * 1024


class ProtocolError(Exception):
    """A message that does not follow this format (the worker died or was tampered with)."""


NUMERIC_KINDS = "biufc"


class SeededRng:
    """Stands for ``np.random.default_rng(seed)`` in a call: the worker builds the generator itself."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"np.random.default_rng({self.seed})"


def send(conn, header: dict, arrays=()) -> None:
    """Send a header and its arrays (numeric dtypes only)."""
    arrays = [np.asarray(array) for array in arrays]
    layout = [[array.dtype.str, list(array.shape)] for array in arrays]
    conn.send_bytes(json.dumps(dict(header, arrays=layout)).encode())
    for array in arrays:
        conn.send_bytes(array.tobytes())


def receive(conn) -> tuple[dict, list]:
    """Receive a header and its arrays (writable, plain ndarrays); EOFError if the other side has gone."""
    try:
        header = json.loads(conn.recv_bytes(MAX_MESSAGE_BYTES))
        layout = header["arrays"] if isinstance(header, dict) else None
        if not isinstance(layout, list):
            raise ProtocolError("header without an array layout")
        arrays = [_array(conn.recv_bytes(MAX_MESSAGE_BYTES), dtype, shape) for dtype, shape in layout]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ProtocolError(str(error)) from error
    return header, arrays


def _array(raw: bytes, dtype: str, shape: list) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
        raise ProtocolError(f"dtype {dtype} is not a plain number type")
    return np.frombuffer(bytearray(raw), dtype=dtype).reshape(shape)


def pack(values) -> tuple[list, list]:
    """Encode a list of arguments: arrays go out of band, plain scalars and strings in the header,
    lists and tuples of them (a model's weights, say) item by item."""
    encoded, arrays = [], []

    def encode(value):
        if isinstance(value, np.ndarray):
            arrays.append(value)
            return {"array": len(arrays) - 1}
        if isinstance(value, (list, tuple)):
            return {"list": [encode(item) for item in value]}
        if isinstance(value, SeededRng):
            return {"rng_seed": value.seed}
        return {"value": value}

    encoded = [encode(value) for value in values]
    return encoded, arrays


def unpack(encoded: list, arrays: list) -> list:
    """Decode what pack() encoded (lists come back as lists)."""

    def decode(item):
        if "array" in item:
            return arrays[item["array"]]
        if "list" in item:
            return [decode(part) for part in item["list"]]
        if "rng_seed" in item:
            return np.random.default_rng(int(item["rng_seed"]))
        return item["value"]

    return [decode(item) for item in encoded]
