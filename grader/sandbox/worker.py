"""The worker: the only place student code runs. Started by grader.grading.student_process.

Run as a script (``python -I -S -B -u worker.py FD SUBMISSION``, with the packages' folders in
``$GRADER_SITE_PACKAGES``: no site import, which saves a tenth of a start-up), it imports the student's
modules from SUBMISSION, calls the functions the grader asks for, and answers over the
socket FD with plain data: arrays, numbers, text. It imports nothing from the grader but
wire.py, which sits beside it, and it never judges anything: comparisons, scores and
reports happen in the grader's process.
"""

import importlib
import os
import sys
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

try:
    import resource
except ImportError:  # native Windows: no rlimits; the grader's watch still stops a call that runs too long
    resource = None

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__))]  # wire.py, beside this file (-I leaves it out)
sys.path += [folder for folder in os.environ.get("GRADER_SITE_PACKAGES", "").split(os.pathsep) if folder]

import numpy as np  # noqa: E402

import wire  # noqa: E402

SUBMISSION = ""
CPU_SECONDS = int(os.environ.get("GRADER_CPU_SECONDS", "0"))
ATTEMPTED: dict[str, set[str]] = {}
"""Per student module: the forbidden modules it tried to import (at import or in a call); sent with its replies."""
CURRENT = [""]
"""The student module whose code runs now."""
EXERCISE = [""]


def main() -> None:
    global SUBMISSION
    fd, SUBMISSION = int(sys.argv[1]), str(Path(sys.argv[2]).resolve())
    sys.path.insert(0, SUBMISSION)
    forbidden = tuple(name for name in os.environ.get("GRADER_FORBIDDEN_MODULES", "").split(",") if name)
    refuse = import_refuser(forbidden)
    sys.addaudithook(refuse)  # an audit hook cannot be removed by the code it watches
    sys.meta_path.insert(0, RefuseForbidden(refuse))
    conn = Connection(fd)
    while True:
        try:
            header, arrays = wire.receive(conn)
        except EOFError:
            return
        if str(header.get("exercise")) != EXERCISE[0]:
            begin_exercise(str(header.get("exercise")))
        replies, reply_arrays, sent = [], [], time.monotonic()
        for call in header["calls"]:
            first = call["first_array"]
            reply, arrays_of_reply = answer(call, arrays[first : first + call["array_count"]])
            if ATTEMPTED.get(call["module"]):
                reply["forbidden"] = sorted(ATTEMPTED[call["module"]])
            replies.append(dict(reply, first_array=len(reply_arrays), array_count=len(arrays_of_reply)))
            reply_arrays += arrays_of_reply
            if time.monotonic() - sent > wire.FLUSH_SECONDS:  # the grader hears from us at least this often
                wire.send(conn, {"replies": replies}, reply_arrays)
                replies, reply_arrays, sent = [], [], time.monotonic()
        if replies:
            wire.send(conn, {"replies": replies}, reply_arrays)


def begin_exercise(name: str) -> None:
    """A new exercise gets a CPU budget of its own: the soft limit moves on to what is used now plus one budget."""
    EXERCISE[0] = name
    if CPU_SECONDS and resource is not None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = int(usage.ru_utime + usage.ru_stime) + 1 + CPU_SECONDS
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        except (ValueError, OSError):
            pass  # the student's code lowered the hard limit: the lower one stands


def import_refuser(forbidden: tuple[str, ...]):
    """A function that fails any import of a forbidden module (or its submodules) and remembers it was tried.

    The list lives in the function's closure, out of reach of the student's code. Those modules
    are not in the sandbox at all (grader.sandbox.bwrap): refusing them here only gives the clear
    message, both as an audit hook (which code cannot remove) and as the first finder on
    sys.meta_path (which also sees imports of modules that are not there).
    """
    def refuse(event: str, args: tuple) -> None:
        if event != "import":
            return
        name = str(args[0])
        for module in forbidden:
            if name == module or name.startswith(module + "."):
                ATTEMPTED.setdefault(CURRENT[0], set()).add(module)
                raise ImportError(f"importing {name} is not allowed in this exercise")

    return refuse


class RefuseForbidden:
    """A meta path finder that calls ``refuse`` for every import, found or not."""

    def __init__(self, refuse):
        self.find_spec = lambda name, path=None, target=None: refuse("import", (name,))


def answer(request: dict, arrays: list) -> tuple[dict, list]:
    """Import the module, call the function, and describe what happened."""
    module_name, function_name = request["module"], request["function"]
    CURRENT[0] = module_name
    try:
        module = importlib.import_module(module_name)
    except BaseException as error:  # noqa: BLE001 - SystemExit at import is a student error too
        if isinstance(error, ModuleNotFoundError) and error.name == module_name:
            return {"status": "missing_module", "message": f"there is no {module_name}.py in the submission"}, []
        return {"status": "import_error", "message": student_traceback(error)}, []
    function = getattr(module, function_name, None)
    if not callable(function):
        return {"status": "missing_function", "message": f"{module_name}.py defines no function {function_name}()"}, []
    args = wire.unpack(request["args"], arrays)
    kwargs = dict(zip(request["kwarg_names"], wire.unpack(request["kwargs"], arrays)))
    try:
        result = function(*args, **kwargs)
    except NotImplementedError:
        return {"status": "not_implemented"}, []
    except BaseException as error:  # noqa: BLE001 - anything the student raises is reported, not obeyed
        return {"status": "raised", "exception": wire.capped(type(error).__name__, 100),
                "message": student_traceback(error)}, []
    reply, reply_arrays = describe(result)
    if request.get("return_args"):
        reply["args_after"], after = wire.pack([np.array(a) if isinstance(a, np.ndarray) else a for a in args])
        reply["args_offset"] = len(reply_arrays)
        reply_arrays += after
    size = sum(np.asarray(array).nbytes for array in reply_arrays)
    if size > wire.CALL_BYTES:  # never held while more replies gather: said, not sent
        return {"status": "too_large", "bytes": size}, []
    return reply, reply_arrays


def describe(result) -> tuple[dict, list]:
    """What came back: its type for feedback, and its value as a plain numeric array if it has one."""
    kind_of = type(result)
    reply = {"status": "returned",
             "type": wire.capped(f"{kind_of.__module__}.{kind_of.__qualname__}".removeprefix("builtins."), 200)}
    if result is None:
        return dict(reply, kind="none"), []
    if isinstance(result, np.ndarray):
        kind = "ndarray"
    elif isinstance(result, (bool, int, float, np.generic)):
        kind = "scalar"
    elif isinstance(result, (list, tuple)):
        return _describe_sequence(reply, result)
    else:
        return dict(reply, kind="other"), []
    try:
        value = np.array(result)  # a plain ndarray copy, whatever subclass came back
    except BaseException:  # noqa: BLE001
        return dict(reply, kind=kind), []
    if value.dtype.kind not in wire.NUMERIC_KINDS:
        return dict(reply, kind=kind, dtype=str(value.dtype)), []
    return dict(reply, kind=kind, value=0), [value]


def _describe_sequence(reply: dict, result) -> tuple[dict, list]:
    """A list or tuple: each item as a plain numeric array where it is one (weights, gradients), and the
    whole as one array where the items line up."""
    items, arrays = [], []
    for item in list(result)[:64]:
        try:
            value = np.array(item)
        except BaseException:  # noqa: BLE001
            value = None
        if value is None or value.dtype.kind not in wire.NUMERIC_KINDS:
            items.append(None)
        else:
            items.append(len(arrays))
            arrays.append(value)
    reply = dict(reply, kind="sequence", items=items, length=len(result))
    try:
        whole = np.array(result)
        if whole.dtype.kind in wire.NUMERIC_KINDS:
            reply["value"] = len(arrays)
            arrays.append(whole)
    except BaseException:  # noqa: BLE001 - ragged items have no single array
        pass
    return reply, arrays


def student_traceback(error: BaseException) -> str:
    """The exception with only the student's own frames: where in their file it happened."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(SUBMISSION)]
    for frame in frames:
        frame.filename = Path(frame.filename).name
    if isinstance(error, SyntaxError):  # its own layout: the line and a caret
        last = traceback.format_exception_only(type(error), error)
        if error.filename:
            last = [line.replace(error.filename, Path(error.filename).name) for line in last]
    else:  # the message capped before it is copied around: a 5 MB message costs no more than a short one
        try:
            message = str(error)
        except BaseException:  # noqa: BLE001 - a __str__ that raises
            message = "<the message could not be shown>"
        last = [f"{type(error).__name__}: {wire.capped(message)}\n" if message else f"{type(error).__name__}\n"]
    return wire.capped("".join(traceback.format_list(frames[-20:]) + last).rstrip())


if __name__ == "__main__":
    main()
