"""The grading inputs, recorded once so a correct submission is checked without running Hypothesis.

With the derandomized grading profile, Hypothesis draws the same examples, in the same
order, for every submission that passes them. Those examples are recorded when the
references are built (with the Hypothesis version and max_examples that drew them).
A property check first replays them: if all pass, the verdict is exactly the one
Hypothesis would reach, at a fraction of the cost. On the first failure, or when the
recording was made under other settings, the check runs Hypothesis itself, which meets
the same failure and shrinks it to the smallest input.
"""

from __future__ import annotations

from pathlib import Path

import hypothesis

from grader.oracle.array_bundle import load_bundle, save_bundle
from grader.sandbox import wire


class Recording:
    """Examples per check key (``exercise.check``); ``record=True`` collects them as checks run."""

    def __init__(self, examples: dict[str, list[tuple]] | None = None, *, record: bool = False,
                 hypothesis_version: str = hypothesis.__version__, max_examples: int | None = None):
        self.examples = examples if examples is not None else {}
        self.record = record
        self.hypothesis_version = hypothesis_version
        self.max_examples = max_examples

    def usable(self, max_examples: int) -> bool:
        """True if the examples were drawn by this Hypothesis with this many examples per check."""
        return self.hypothesis_version == hypothesis.__version__ and self.max_examples == max_examples

    def add(self, key: str, example: tuple) -> None:
        self.examples.setdefault(key, []).append(tuple(example))

    def save(self, path: Path) -> None:
        arrays, index = {}, {}
        for key, examples in sorted(self.examples.items()):
            index[key] = []
            for example in examples:
                encoded, example_arrays = wire.pack(list(example))
                names = []
                for array in example_arrays:
                    names.append(f"a{len(arrays)}")
                    arrays[names[-1]] = array
                index[key].append({"values": encoded, "arrays": names})
        save_bundle(path, arrays, {"hypothesis": self.hypothesis_version, "max_examples": self.max_examples, "index": index})

    @classmethod
    def load(cls, path: Path) -> Recording:
        """The recording in ``path``; an empty one if there is no file."""
        if not path.is_file():
            return cls(hypothesis_version="", max_examples=None)
        data, meta = load_bundle(path)
        examples = {
            key: [tuple(wire.unpack(item["values"], [data[name] for name in item["arrays"]])) for item in items]
            for key, items in meta["index"].items()
        }
        return cls(examples, hypothesis_version=meta["hypothesis"], max_examples=meta["max_examples"])
