def accuracy(y_pred, y_true):
    hits = 0
    for scores, truth in zip(y_pred, y_true):
        best = max(range(len(scores)), key=lambda k: (scores[k], -k))
        hits += int(truth[best] == 1)
    return hits / len(y_true)
