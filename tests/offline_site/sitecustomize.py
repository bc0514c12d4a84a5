"""Loaded into every process the tests start (it is on their PYTHONPATH).

- No network: any attempt to open a connection fails at once, as on an offline VM.
- TEST_SYSTEM_DATA_DIR, when set, replaces the Debian package's folder, so that a
  test can pretend the package is not installed.
"""
import os
import socket


def _no_network(*args, **kwargs):
    raise OSError(101, "Network is unreachable (blocked by the tests)")


def _no_name_lookup(*args, **kwargs):
    raise socket.gaierror(-3, "Temporary failure in name resolution (blocked by the tests)")


socket.getaddrinfo = _no_name_lookup
socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network
socket.create_connection = _no_network

if "TEST_SYSTEM_DATA_DIR" in os.environ:
    from pathlib import Path

    import tutorial_helpers

    tutorial_helpers.SYSTEM_DATA_DIRS = [Path(os.environ["TEST_SYSTEM_DATA_DIR"])]
