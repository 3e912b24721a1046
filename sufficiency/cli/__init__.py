"""The command line: a thin layer over the library API."""

from .main import cli, main

__all__ = ["cli", "main"]
