def sgd_step(params, grads, learning_rate):
    return [p + learning_rate * g for p, g in zip(params, grads)]
