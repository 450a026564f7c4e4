"""Messages between the grader and the worker: a JSON header, then arrays in .npy format.

No pickle crosses the boundary: the grader decodes replies with ``json.loads`` and
``np.load(allow_pickle=False)``, so a reply can carry data but never code. This module
is imported by both sides and needs only the standard library and NumPy.
"""

import io
import json

import numpy as np

MAX_MESSAGE_BYTES = 512 * 1024 * 1024


class ProtocolError(Exception):
    """A message that does not follow this format (the worker died or was tampered with)."""


def send(conn, header: dict, arrays=()) -> None:
    """Send a header and its arrays."""
    conn.send_bytes(json.dumps(dict(header, arrays=len(arrays))).encode())
    for array in arrays:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        conn.send_bytes(buffer.getvalue())


def receive(conn) -> tuple[dict, list]:
    """Receive a header and its arrays; EOFError if the other side has gone."""
    try:
        header = json.loads(conn.recv_bytes(MAX_MESSAGE_BYTES))
        count = header["arrays"] if isinstance(header, dict) else None
        if not isinstance(count, int) or count < 0:
            raise ProtocolError("header without an array count")
        arrays = [np.load(io.BytesIO(conn.recv_bytes(MAX_MESSAGE_BYTES)), allow_pickle=False) for _ in range(count)]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ProtocolError(str(error)) from error
    return header, arrays


def pack(values) -> tuple[list, list]:
    """Encode a list of arguments: arrays go out of band, plain scalars and strings in the header."""
    encoded, arrays = [], []
    for value in values:
        if isinstance(value, np.ndarray):
            encoded.append({"array": len(arrays)})
            arrays.append(value)
        else:
            encoded.append({"value": value})
    return encoded, arrays


def unpack(encoded: list, arrays: list) -> list:
    """Decode what pack() encoded."""
    return [arrays[item["array"]] if "array" in item else item["value"] for item in encoded]
