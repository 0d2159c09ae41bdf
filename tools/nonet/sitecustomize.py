"""Refuse the network in this Python process, as on a machine without one.

Put this folder on ``PYTHONPATH`` and every Python process started with it (a notebook's kernel
included) gets an immediate error for any name lookup and any connection that does not stay on
this machine: ``socket.gaierror`` for DNS, ``ConnectionRefusedError`` for a connection. Loopback
and Unix sockets keep working, so Jupyter's kernel still talks to its client. The test lanes use it
to run every notebook "with the network refused and COURSE_OFFLINE unset".
"""
import ipaddress
import socket

_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _local(host) -> bool:
    if host in (None, "", "localhost", "localhost.localdomain"):
        return True
    if isinstance(host, bytes):
        host = host.decode()
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        raise socket.gaierror(socket.EAI_NONAME, f"name lookup of {host!r} refused: no network")
    return _getaddrinfo(host, *args, **kwargs)


def _refuse(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        raise ConnectionRefusedError(f"connection to {address!r} refused: no network")


def connect(self, address):
    _refuse(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _refuse(self, address)
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
