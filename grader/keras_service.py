"""One process that computes the live Keras results for all the grading processes of a class run.

A correct submission needs no live Keras result (they are recorded: grader.oracle); a failing
one does, for the inputs Hypothesis meets while shrinking. Without this service each grading
process would import TensorFlow itself (about 550 MB and 4 s of CPU each); with it, a local
class run imports TensorFlow once, in this process, and only if some submission needs it.
Only grader processes talk to it (an authenticated local socket); student code never does.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from multiprocessing.connection import Client, Listener

_address: tuple[str, bytes] | None = None
_client = None
_client_lock = threading.Lock()


def _serve(listener_address, authkey: bytes, ready) -> None:
    with Listener(listener_address, authkey=authkey) as listener:
        ready.send(listener.address)
        ready.close()
        compute_lock = threading.Lock()

        def answer(conn) -> None:
            with conn:
                while True:
                    try:
                        operation, arrays, params = conn.recv()
                    except EOFError:
                        return
                    try:
                        with compute_lock:  # one computation at a time: the same results as in one process
                            reference = importlib.import_module("grader.keras_reference")
                            conn.send(("ok", getattr(reference, operation)(*arrays, **params)))
                    except Exception as error:  # noqa: BLE001 - the caller reports it
                        conn.send(("error", f"{type(error).__name__}: {error}"))

        while True:
            threading.Thread(target=answer, args=(listener.accept(),), daemon=True).start()


class KerasService:
    """The service process; ``address`` is what grading processes pass to ``use``."""

    def __init__(self):
        self.authkey = os.urandom(32)
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(None, self.authkey, theirs), daemon=True,
                                        name="grader-keras-service")
        self._process.start()
        theirs.close()
        self.address = (ours.recv(), self.authkey)

    def close(self) -> None:
        self._process.terminate()
        self._process.join(5)


def use(address: tuple[str, bytes] | None) -> None:
    """Send this process's live Keras computations to the service at ``address`` (None: compute them here)."""
    global _address, _client
    _address, _client = address, None


def compute(operation: str, arrays: tuple, params: dict):
    """What grader.keras_reference's ``operation`` gives: from the service if this process uses one, else here."""
    global _client
    if _address is None:
        return getattr(importlib.import_module("grader.keras_reference"), operation)(*arrays, **params)
    with _client_lock:
        if _client is None:
            _client = Client(_address[0], authkey=_address[1])
        _client.send((operation, arrays, params))
        status, value = _client.recv()
    if status != "ok":
        raise RuntimeError(f"the Keras service failed on {operation}: {value}")
    return value
