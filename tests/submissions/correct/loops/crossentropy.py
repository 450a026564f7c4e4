import math


def categorical_crossentropy(y_true, y_pred):
    total = 0.0
    for truth, probabilities in zip(y_true, y_pred):
        scale = sum(probabilities)
        for t, p in zip(truth, probabilities):
            if t:
                total -= t * math.log(min(max(p / scale, 1e-7), 1 - 1e-7))
    return total / len(y_true)
