"""Exercises and an autograder for neural networks as matrix operations, checked against real Keras."""

__version__ = "0.1.0"
