"""Sealroom: analyse licensed media content you never see.

``import sealroom as sr; ws = sr.connect(url, token)`` is the data scientist's entry point.
Importing the package does nothing else (no I/O, no patching); ``connect`` loads the client
lazily so the vault side never imports client code.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["connect", "__version__"]


def __getattr__(name: str):
    if name == "connect":
        from sealroom.client.connection import connect

        return connect
    raise AttributeError(f"module 'sealroom' has no attribute {name!r}")
