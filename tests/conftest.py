"""Shared test set-up: offline and quick mode, a headless plot backend, a socket blocker."""
import os
import socket

import pytest

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
