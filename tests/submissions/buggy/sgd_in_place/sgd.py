def sgd_step(params, grads, learning_rate):
    for p, g in zip(params, grads):
        p -= learning_rate * g
    return params
