"""Loaded into every process the tests start (it is on their PYTHONPATH).

- No network: any connection fails at once, as on an offline VM. Only 127.0.0.1,
  where a test may serve files of its own, can be reached.
- TEST_SYSTEM_DATA_DIR, when set, replaces the Debian package's folder, so that a
  test can pretend the package is not installed.
- TEST_DOWNLOAD_URL, when set, replaces the address the data is downloaded from.
"""
import os
import socket

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def _getaddrinfo(host, *args, **kwargs):
    if host != "127.0.0.1":
        raise socket.gaierror(-3, "Temporary failure in name resolution (tests are offline)")
    return _real_getaddrinfo(host, *args, **kwargs)


def _connect(self, address):
    if not (isinstance(address, tuple) and address[0] == "127.0.0.1"):
        raise OSError(101, "Network is unreachable (tests are offline)")
    return _real_connect(self, address)


def _connect_ex(self, address):
    try:
        _connect(self, address)
    except OSError as error:
        return error.errno
    return 0


socket.getaddrinfo = _getaddrinfo
socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex

if "TEST_SYSTEM_DATA_DIR" in os.environ or "TEST_DOWNLOAD_URL" in os.environ:
    from pathlib import Path

    from tutorial_helpers import data

    if "TEST_SYSTEM_DATA_DIR" in os.environ:
        data.SYSTEM_DATA_DIRS = [Path(os.environ["TEST_SYSTEM_DATA_DIR"])]
    if "TEST_DOWNLOAD_URL" in os.environ:
        data.DOWNLOAD_URL = os.environ["TEST_DOWNLOAD_URL"]
