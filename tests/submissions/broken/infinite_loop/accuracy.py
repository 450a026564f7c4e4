def accuracy(y_pred, y_true):
    while True:
        pass
