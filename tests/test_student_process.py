"""The boundary: student code runs in its own process and only plain data comes back."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox import watch
from grader.sandbox.limits import Limits
from grader.grading.student_process import CallLost, ExerciseStopped, Raised, Returned, StudentProcess, WorkerSettings

SETTINGS = WorkerSettings(sandbox=False, limits=Limits(10, 2**31, 32, 2**24), call_timeout=2, output_bytes=65536)


def submission(tmp_path, source: str):
    (tmp_path / "mod.py").write_text(source)
    return StudentProcess(tmp_path, SETTINGS)


def test_arrays_go_and_come_back_plain(tmp_path):
    source = (
        "import numpy as np\n"
        "class Liar(np.ndarray):\n"
        "    def __eq__(self, other): return True\n"
        "def f(x): return (x * 2).view(Liar)\n"
    )
    with submission(tmp_path, source) as student:
        outcome = student.call("mod", "f", np.arange(3.0))
    assert isinstance(outcome, Returned) and outcome.kind == "ndarray"
    assert type(outcome.value) is np.ndarray  # the subclass did not cross the boundary
    assert outcome.type_name == "mod.Liar"
    assert np.array_equal(outcome.value, [0.0, 2.0, 4.0])


def test_kinds_of_return_value(tmp_path):
    source = "def none(): return None\ndef lst(): return [1.0, 2.0]\ndef obj(): return object()\ndef num(): return 0.5\n"
    with submission(tmp_path, source) as student:
        assert student.call("mod", "none").kind == "none"
        lst = student.call("mod", "lst")
        assert lst.kind == "sequence" and lst.type_name == "list" and np.array_equal(lst.value, [1.0, 2.0])
        assert student.call("mod", "obj").value is None
        assert student.call("mod", "num").value == 0.5


def test_exceptions_come_back_as_text_with_student_frames_only(tmp_path):
    with submission(tmp_path, "def f():\n    raise KeyError('boom')\n") as student:
        outcome = student.call("mod", "f")
    assert isinstance(outcome, Raised) and outcome.exception == "KeyError"
    assert 'File "mod.py", line 2, in f' in outcome.message
    assert "worker.py" not in outcome.message


def test_not_implemented_stops_the_exercise(tmp_path):
    with submission(tmp_path, "def f():\n    raise NotImplementedError\n") as student:
        with pytest.raises(ExerciseStopped) as stopped:
            student.call("mod", "f")
    assert stopped.value.status == "not_attempted"


def test_sys_exit_is_just_an_exception(tmp_path):
    with submission(tmp_path, "import sys\ndef f():\n    sys.exit(0)\n") as student:
        outcome = student.call("mod", "f")
    assert isinstance(outcome, Raised) and outcome.exception == "SystemExit"


def test_a_timeout_kills_and_the_next_call_gets_a_new_worker(tmp_path):
    source = "import time\ndef slow():\n    time.sleep(60)\ndef fast():\n    return 1.0\n"
    with submission(tmp_path, source) as student:
        with pytest.raises(CallLost, match="did not finish within 2 s"):
            student.call("mod", "slow")
        assert student.call("mod", "fast").value == 1.0


def test_a_dying_worker_is_reported(tmp_path):
    with submission(tmp_path, "import os\ndef f():\n    os._exit(7)\n") as student:
        with pytest.raises(CallLost, match="exit code 7") as lost:
            student.call("mod", "f")
    assert lost.value.status == "crashed"


def test_arguments_after_the_call_show_mutation(tmp_path):
    with submission(tmp_path, "def f(x):\n    x += 1\n    return x\n") as student:
        outcome = student.call("mod", "f", np.zeros(2), return_args=True)
    assert np.array_equal(outcome.args_after[0], [1.0, 1.0])


def test_output_is_captured_and_capped(tmp_path):
    with submission(tmp_path, "def f():\n    print('x' * 100_000)\n    return 1.0\n") as student:
        student.call("mod", "f")
    output = student.output()
    assert output.startswith("xxx") and "more bytes of output not shown" in output
    assert len(output) < 70_000


def test_stdin_is_empty(tmp_path):
    with submission(tmp_path, "import sys\ndef f():\n    return float(len(sys.stdin.read()))\n") as student:
        assert student.call("mod", "f").value == 0.0


def test_a_batch_of_calls_answers_each_in_order(tmp_path):
    with submission(tmp_path, "def f(x):\n    if x < 0:\n        raise ValueError('negative')\n    return x * 2.0\n") as student:
        requests = [student.request("mod", "f", float(x)) for x in (1, -1, 3)]
        outcomes = student.call_many(requests)
    assert [type(o) for o in outcomes] == [Returned, Raised, Returned]
    assert outcomes[0].value == 2.0 and outcomes[2].value == 6.0 and outcomes[1].exception == "ValueError"


def test_a_call_that_hangs_in_a_batch_ends_it_and_the_next_call_gets_a_new_worker(tmp_path):
    source = "import time\ndef f(x):\n    if x == 2:\n        time.sleep(60)\n    return float(x)\n"
    with submission(tmp_path, source) as student:
        outcomes = student.call_many([student.request("mod", "f", x) for x in (1, 2, 3)])
        assert isinstance(outcomes[-1], CallLost) and outcomes[-1].status == "timeout"
        assert len(outcomes) <= 2  # nothing after the lost call was made
        assert student.call("mod", "f", 5).value == 5.0


def test_not_implemented_in_a_batch_comes_back_for_every_call(tmp_path):
    with submission(tmp_path, "def f(x):\n    raise NotImplementedError\n") as student:
        outcomes = student.call_many([student.request("mod", "f", x) for x in range(4)])
        assert [o.status for o in outcomes] == ["not_attempted"] * 4
        assert student.call_many([student.request("mod", "f", 0)])[0].status == "not_attempted"  # still in step


def test_each_exercise_gets_its_own_output(tmp_path):
    (tmp_path / "other.py").write_text("def g():\n    print('from g')\n    return 2.0\n")
    with submission(tmp_path, "def f():\n    print('from f')\n    return 1.0\n") as student:
        first = student.begin_exercise("f")
        student.call("mod", "f")
        second = student.begin_exercise("g")
        student.call("other", "g")
        end = student.mark()
        assert student.output(first, second).strip() == "from f"
        assert student.output(second, end).strip() == "from g"


def test_a_forbidden_import_counts_against_its_own_module_only(tmp_path):
    settings = WorkerSettings(sandbox=False, limits=Limits(10, 2**31, 32, 2**24), call_timeout=2,
                              output_bytes=65536, forbidden_modules=("fractions",))
    (tmp_path / "bad.py").write_text("def f():\n    import fractions\n    return 1.0\n")
    (tmp_path / "good.py").write_text("def f():\n    return 1.0\n")
    with StudentProcess(tmp_path, settings, exercises=2) as student:
        student.begin_exercise("bad")
        with pytest.raises(ExerciseStopped) as stopped:
            student.call("bad", "f")
        assert stopped.value.status == "forbidden"
        student.begin_exercise("good")
        assert student.call("good", "f").value == 1.0


def test_each_exercise_gets_its_own_cpu_budget(tmp_path):
    settings = WorkerSettings(sandbox=False, limits=Limits(2, 2**31, 32, 2**24), call_timeout=10, output_bytes=65536)
    (tmp_path / "mod.py").write_text(
        "import time\ndef burn():\n    end = time.process_time() + 1.2\n    while time.process_time() < end:\n"
        "        pass\n    return 1.0\n")
    with StudentProcess(tmp_path, settings, exercises=3) as student:
        for exercise in ("one", "two"):  # 2.4 s of CPU in all: more than one budget, within two
            student.begin_exercise(exercise)
            assert student.call("mod", "burn").value == 1.0
        student.begin_exercise("three")
        with pytest.raises(CallLost) as lost:  # one exercise that burns beyond its own budget is stopped
            for _ in range(3):
                student.call("mod", "burn")
    assert lost.value.status == "timeout"


def test_processes_or_threads_left_running_by_one_exercise_do_not_reach_the_next(tmp_path):
    (tmp_path / "spawns.py").write_text(
        "import os, threading, time\n"
        "def f():\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(600)\n"
        "    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
        "    return 1.0\n")
    (tmp_path / "mod.py").write_text("import os, threading\ndef g():\n    return float(threading.active_count())\n")
    with StudentProcess(tmp_path, SETTINGS, exercises=2) as student:
        student.begin_exercise("spawns")
        assert student.call("spawns", "f").value == 1.0
        first_worker = student._process.pid
        assert watch.left_running(student._processes())
        student.begin_exercise("clean")
        assert student.call("mod", "g").value == 1.0  # a fresh worker: only its main thread
        assert student._process.pid != first_worker and not watch.left_running(student._processes())
