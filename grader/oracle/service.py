"""One process that computes the live Keras results for all the grading processes of a class run.

A correct submission needs no live Keras result (they are recorded: grader.oracle.recorded); a failing
one does, for the inputs Hypothesis meets while shrinking. Without this service each grading
process would import TensorFlow itself (about 550 MB and 4 s of CPU each); with it, a local
class run imports TensorFlow once, in this process, and only if some submission needs it.

TensorFlow keeps kernels for every shape and dtype it has seen, so the service grows as it
works; past ``max_rss_mb`` it finishes its answer and exits, and a new one takes its place on
the same socket (the callers reconnect and ask again). Only grader processes talk to it (an
authenticated local socket, in the abstract namespace: no file, and none left if the run is
killed); student code never does. It dies with the process that started it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from multiprocessing.connection import Client, Listener

import psutil

from grader.classrun.lifetime import die_with_parent

MAX_RSS_MB = 800
RECONNECT_SECONDS = 120.0

_address: tuple[str, bytes] | None = None
_client = None
_client_lock = threading.Lock()


def _serve(path: str, authkey: bytes, max_rss_mb: float, parent: int) -> None:
    die_with_parent(parent)
    listener = Listener(path, family="AF_UNIX", authkey=authkey)
    compute_lock = threading.Lock()

    def answer(conn) -> None:
        with conn:
            while True:
                try:
                    operation, arrays, params = conn.recv()
                except (EOFError, OSError):
                    return
                with compute_lock:  # one computation at a time: the same results as in one process
                    try:
                        reply = ("ok", keras_function(operation)(*arrays, **params))
                    except Exception as error:  # noqa: BLE001 - the caller reports it
                        reply = ("error", f"{type(error).__name__}: {error}")
                    conn.send(reply)
                    if psutil.Process().memory_info().rss > max_rss_mb * 2**20:  # retire: the supervisor starts a fresh service
                        listener.close()
                        os._exit(0)

    while True:
        try:
            conn = listener.accept()
        except OSError:
            return
        threading.Thread(target=answer, args=(conn,), daemon=True).start()


class KerasService:
    """The service process, kept running by a supervising thread; ``address`` is what callers pass to ``use``."""

    def __init__(self, max_rss_mb: float = MAX_RSS_MB):
        self.authkey = os.urandom(32)
        self.path = f"\0grader-keras-{os.getpid()}-{os.urandom(8).hex()}"  # abstract: no file to leave behind
        self.address = (self.path, self.authkey)
        self.max_rss_mb = max_rss_mb
        self.restarts = 0
        self._context = multiprocessing.get_context("spawn")
        self._closing = threading.Event()
        self._process = self._start()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def _start(self):
        process = self._context.Process(target=_serve, args=(self.path, self.authkey, self.max_rss_mb, os.getpid()),
                                        daemon=True,
                                        name="grader-keras-service")
        process.start()
        return process

    def _supervise(self) -> None:
        while not self._closing.is_set():
            self._process.join(0.5)
            if self._process.exitcode is not None and not self._closing.is_set():
                self.restarts += 1
                self._process = self._start()

    def close(self) -> None:
        self._closing.set()
        self._supervisor.join(2)
        self._process.terminate()
        self._process.join(5)


def use(address: tuple[str, bytes] | None) -> None:
    """Send this process's live Keras computations to the service at ``address`` (None: compute them here)."""
    global _address, _client
    _address, _client = address, None


class KerasUnavailable(RuntimeError):
    """TensorFlow (and Keras) is not installed here, as on a student's laptop with the lean install: only the
    recorded Keras results are known. Every input a check draws is recorded, so verdicts are the same; what
    needs a live answer (shrinking a failure further, some hints) is left out."""


NOT_SHRUNK = ("A failing input (TensorFlow is not installed here, so it was not shrunk to the smallest one and the "
              "hints that ask Keras about other inputs are left out; pip install -e '.[keras]' adds them):")
"""The heading of a failure found without TensorFlow (grader.checks.base)."""


CHECK_MODULES = "grader.checks."
"""A check module may define the Keras call its oracle needs (grader.oracle.recorded.Oracle.__call__: ``keras(keras_sigmoid, z)`` in a check); nothing else may."""


def keras_function(operation: str):
    """The function that computes ``operation``: ``name`` in grader.oracle.keras_calls, or ``module:name`` in a check
    module. TensorFlow is imported first, with the settings the references are built with."""
    reference = importlib.import_module("grader.oracle.keras_calls")
    if ":" not in operation:
        return getattr(reference, operation)
    module, _, name = operation.partition(":")
    if not module.startswith(CHECK_MODULES):
        raise ValueError(f"{operation!r} is not a Keras function of a check module")
    return getattr(importlib.import_module(module), name)


def compute(operation: str, arrays: tuple, params: dict):
    """What ``operation`` (see keras_function) gives: from the service if this process uses one, else here."""
    if _address is None:
        try:
            function = keras_function(operation)
        except ImportError as error:
            raise KerasUnavailable(f"Keras is not installed here ({error})") from None
        return function(*arrays, **params)
    with _client_lock:
        status, value = _ask((operation, arrays, params))
    if status != "ok":
        raise RuntimeError(f"the Keras service failed on {operation}: {value}")
    return value


def _ask(request: tuple) -> tuple:
    """Send the request and wait for the answer; if the service retired meanwhile, ask its successor."""
    global _client
    deadline = time.monotonic() + RECONNECT_SECONDS
    while True:
        try:
            if _client is None:
                _client = Client(_address[0], family="AF_UNIX", authkey=_address[1])
            _client.send(request)
            return _client.recv()
        except (EOFError, OSError):
            _client = None
            if time.monotonic() > deadline:
                raise RuntimeError("the Keras service stopped answering") from None
            time.sleep(0.05)
