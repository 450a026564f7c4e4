def softmax(z, axis=-1):
    raise KeyboardInterrupt
