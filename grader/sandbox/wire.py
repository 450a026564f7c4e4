"""Messages between the grader and the worker: a JSON header, then each array's raw bytes.

No pickle crosses the boundary: the grader decodes replies with ``json.loads`` and
``np.frombuffer`` of numeric dtypes only, so a reply can carry data but never code.
This module is imported by both sides and needs only the standard library and NumPy.
"""

import json

import numpy as np

MAX_MESSAGE_BYTES = 512 * 1024 * 1024
CALL_BYTES = 4 * 2**20
"""The most one reply may carry: the largest right answer is a few hundred KB (Glorot's 784 x 20 weights)."""
FLUSH_SECONDS = 0.5
"""The worker answers a batch of calls in messages of several replies, at least this often while it works."""


MAX_TEXT = 4000
"""Characters kept of any text that comes from student code (an exception's message, a type's name)."""


def capped(text, limit: int = MAX_TEXT) -> str:
    """``text`` as a str of at most about ``limit`` characters: its start and end, and how much was cut between."""
    text = str(text)  # JSON values only: what the wire decodes
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 3 // 4], text[-(limit // 4):]
    return f"{head}\n[... {len(text) - len(head) - len(tail)} characters cut ...]\n{tail}"


class ProtocolError(Exception):
    """A message that does not follow this format (the worker died or was tampered with)."""


class TooLarge(ProtocolError):
    """A message longer than the receiver takes: it is not read."""


NUMERIC_KINDS = "biufc"


class SeededRng:
    """Stands for ``np.random.default_rng(seed)`` in a call: the worker builds the generator itself."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"np.random.default_rng({self.seed})"


def send(conn, header: dict, arrays=()) -> None:
    """Send a header (with the arrays' layout) and then all the arrays' bytes as one block (numeric dtypes only)."""
    arrays = [np.asarray(array) for array in arrays]
    layout = [[array.dtype.str, list(array.shape)] for array in arrays]
    conn.send_bytes(json.dumps(dict(header, arrays=layout)).encode())
    conn.send_bytes(b"".join(array.tobytes() for array in arrays))


def receive(conn, max_bytes: int = MAX_MESSAGE_BYTES) -> tuple[dict, list]:
    """Receive a header and its arrays (writable, plain ndarrays); EOFError if the other side has gone.

    A part longer than ``max_bytes`` is not read at all (TooLarge): the sender can flood nothing.
    """
    try:
        header = json.loads(_part(conn, max_bytes))
        layout = header["arrays"] if isinstance(header, dict) else None
        if not isinstance(layout, list):
            raise ProtocolError("header without an array layout")
        block = bytearray(_part(conn, max_bytes))
        arrays, offset = [], 0
        for dtype, shape in layout:
            array = _array(block, offset, dtype, shape)
            arrays.append(array)
            offset += array.nbytes
        if offset != len(block):
            raise ProtocolError("the arrays' bytes do not match their layout")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ProtocolError(str(error)) from error
    return header, arrays


def _part(conn, max_bytes: int) -> bytes:
    try:
        return conn.recv_bytes(max_bytes)
    except OSError as error:
        if "bad message length" in str(error):  # multiprocessing's word for "longer than max_bytes"
            raise TooLarge(f"a message of more than {max_bytes} bytes") from None
        raise


def _array(block: bytearray, offset: int, dtype: str, shape: list) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
        raise ProtocolError(f"dtype {dtype} is not a plain number type")
    count = int(np.prod(shape, dtype=np.int64))
    if count < 0 or offset + count * dtype.itemsize > len(block):
        raise ProtocolError("an array runs past the end of its message")
    return np.frombuffer(block, dtype=dtype, count=count, offset=offset).reshape(shape)


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
