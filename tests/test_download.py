"""Downloading, with a local web server standing in for the data's real address."""
import functools
import http.server
import threading

import pytest

from fake_data import NAMES, write_dataset


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/served over HTTP on 127.0.0.1; yields (folder, base URL)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_download_fills_the_keras_cache_once(run, server):
    folder, url = server
    write_dataset(folder)
    run.env["TEST_DOWNLOAD_URL"] = url
    first = run("step1.py")
    assert first.returncode == 0, first.stderr
    assert "downloading it" in first.stdout
    assert sorted(p.name for p in run.cache.iterdir()) == sorted(NAMES.values())

    for name in NAMES.values():  # the next run needs no server
        (folder / name).unlink()
    second = run("step1.py")
    assert second.returncode == 0, second.stderr
    assert "downloading" not in second.stdout
    assert f"Loading Fashion-MNIST from {run.cache} ..." in second.stdout


def test_a_failed_download_leaves_nothing_behind(run, server):
    folder, url = server
    write_dataset(folder)
    (folder / "t10k-images-idx3-ubyte.gz").unlink()  # the server answers 404
    run.env["TEST_DOWNLOAD_URL"] = url
    result = run("step1.py")
    assert result.returncode == 1
    assert "could not be downloaded" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(run.cache.iterdir()) == []


def test_a_damaged_download_leaves_nothing_behind(run, server):
    folder, url = server
    write_dataset(folder)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-100])
    run.env["TEST_DOWNLOAD_URL"] = url
    result = run("step1.py")
    assert result.returncode == 1
    assert "the downloaded train-images-idx3-ubyte.gz is incomplete" in result.stderr
    assert "Run this step again" in result.stderr
    assert list(run.cache.iterdir()) == []
