"""The web app for the early years team and its providers: ``sufficiency serve``.

:func:`create_app` makes the Flask application of an area folder; ``cli/web.py`` serves it
(waitress) and manages accounts (``sufficiency users``).
"""

from .app import create_app

__all__ = ["create_app"]
