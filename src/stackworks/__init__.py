"""Stackworks: cluster orchestration for Python web applications, with plain-Python recipes."""

__version__ = "0.1.0"
