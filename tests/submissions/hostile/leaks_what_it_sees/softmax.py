# Prints every input it receives, remembers them all (in builtins, where the other exercises'
# code can find them), and fails on MNIST-sized inputs with everything it has seen in the
# exception's message. Nothing seen in a hidden check may come back in any feedback or output.
import builtins

import numpy as np

builtins.SEEN = getattr(builtins, "SEEN", [])


def softmax(z, axis=-1):
    builtins.SEEN.append(np.asarray(z).ravel()[:8].tolist())
    print("saw", builtins.SEEN[-1])
    if np.shape(z) == (64, 10):
        raise ValueError("everything seen: " + repr(builtins.SEEN))
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
