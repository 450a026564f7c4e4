"""One-hot encoding: class labels as rows of zeros with a single one."""

import numpy as np


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    r"""Return the one-hot encoding of integer ``labels``, like ``keras.utils.to_categorical``.

    The formula, for each label y:

        one_hot(y)[k] = 1 if k == y else 0,   for k = 0 .. num_classes - 1

    Args:
        labels: integer class labels in [0, num_classes), any shape; (n,) for a batch.
        num_classes: how many classes there are (10 for MNIST digits).

    Returns:
        A float array of shape ``labels.shape + (num_classes,)``: (n, num_classes)
        for a batch, each row all zeros but a single 1 at the label's index.

    Pitfalls:
        - Index the row of each label, not the column: ``np.eye(num_classes)[labels]``
          picks rows.
        - Labels start at 0: digit 3 sets index 3, not 2.
        - Return floats (Keras does): the rows are compared with probabilities.
    """
    ### BEGIN SOLUTION
    return np.eye(num_classes)[np.asarray(labels)]
    ### END SOLUTION
