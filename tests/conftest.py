"""Shared test set-up: offline and quick mode, a headless plot backend, a socket blocker."""
import os
import socket
import sys
from pathlib import Path

import pytest

# The repository's own tools (`tools.notebook_tools`, ...) are importable from any working
# directory. Appended, not prepended: `course_lib` still comes from wherever it is installed
# (the checkout in `make test`, the wheel in the Colab twin).
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

os.environ.setdefault("COURSE_OFFLINE", "1")
os.environ.setdefault("COURSE_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import course_lib.env  # noqa: E402  (after the flags are set)

course_lib.env.refresh()


class NetworkBlocked(OSError):
    """Raised by any attempt to open a network connection while sockets are blocked."""


@pytest.fixture
def no_network(monkeypatch):
    """Make every outbound connection fail at once, as on a machine with no network."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise NetworkBlocked(f"network blocked in tests (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: refuse(None, address))
    return attempts
