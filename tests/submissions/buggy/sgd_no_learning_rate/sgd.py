def sgd_step(params, grads, learning_rate):
    return [p - g for p, g in zip(params, grads)]
