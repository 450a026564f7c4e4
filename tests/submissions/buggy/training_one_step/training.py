from gradients import softmax_crossentropy_grad
from sgd import sgd_step


def train_epoch(params, x, y, learning_rate, batch_size):
    grads = softmax_crossentropy_grad(x, params[0], params[1], y)
    return sgd_step(params, grads, learning_rate)
