"""Where Keras is called: the oracle (recorded answers first, recorded.py), the live Keras computations (keras_calls.py) and the one process a class run computes them in (service.py)."""
