"""Loket: an open-source once-only digital counter for the Brussels-Capital Region."""

__version__ = "0.1.0"
