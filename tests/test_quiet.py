"""Quiet TensorFlow: its start-up log lines are hidden, real import errors are not."""
import os
import signal

from conftest import HANG_S


def fake_tensorflow(run, tmp_path, body):
    """Put a package named tensorflow with this __init__.py ahead of the real one."""
    package = tmp_path / "fake_site" / "tensorflow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(body)
    run.env["PYTHONPATH"] = os.pathsep.join([str(package.parent), run.env["PYTHONPATH"]])


def test_a_broken_tensorflow_still_shows_its_error(run_cached, tmp_path):
    fake_tensorflow(run_cached, tmp_path, (
        "import os, sys\n"
        "os.write(2, b'I0000 00:00:1795519780.524855    3702 port.cc:153] oneDNN noise\\n')\n"
        "print('warning from the loader', file=sys.stderr)\n"
        "raise ImportError('libtensorflow_framework.so.2: cannot open shared object file')\n"))
    result = run_cached("step2.py")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "cannot open shared object file" in result.stderr
    assert "warning from the loader" in result.stderr  # held back, then shown


def test_noise_is_dropped_but_other_stderr_kept(run, tmp_path):
    fake_tensorflow(run, tmp_path, (
        "import os, sys\n"
        "os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called"
        " are written to STDERR\\n')\n"
        "os.write(2, b'I0000 00:00:1795519780.524855    3702 port.cc:153] oneDNN noise\\n')\n"
        "os.write(2, b'E0000 00:00:1795519781.1   3702 cuda_dnn.cc:8310] Unable to"
        " register cuDNN factory\\n')\n"
        "print('a genuine warning', file=sys.stderr)\n"))
    script = tmp_path / "uses_tf.py"
    script.write_text("from tutorial_helpers import quiet_tensorflow\n"
                      "with quiet_tensorflow():\n"
                      "    import tensorflow\n"
                      "print('imported')\n")
    result = run(script)
    assert result.returncode == 0
    assert result.stdout == "imported\n"
    assert result.stderr == "a genuine warning\n"


def test_tensorflow_not_installed(run_cached, tmp_path):
    fake_tensorflow(run_cached, tmp_path,
                    "raise ModuleNotFoundError(\"No module named 'tensorflow'\","
                    " name='tensorflow')\n")
    result = run_cached("step2.py")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "tensorflow is not installed" in result.stderr
    assert "pip install -r requirements.txt" in result.stderr


def test_ctrl_c_during_the_import(run_cached, tmp_path):
    fake_tensorflow(run_cached, tmp_path, (
        "import os, sys, time\n"
        "os.write(2, b'I0000 00:00:1795519780.524855    3702 port.cc:153] oneDNN noise\\n')\n"
        "print('importing', flush=True)\n"
        "time.sleep(60)\n"))
    proc = run_cached.start("step2.py")
    lines = iter(proc.stdout.readline, "")  # the data is loaded and described first
    assert "importing\n" in lines  # reads up to that line, then stops
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=HANG_S)
    assert proc.returncode == 130
    assert err == "Stopped by Ctrl-C.\n"


def test_a_plain_import_after_the_helpers_is_quiet_and_quick(run, tmp_path):
    """`import tensorflow as tf` after tutorial_helpers, as the steps write it: one line
    says TensorFlow is starting, its log lines stay off the screen, and compile() runs
    50 steps per call unless the code says otherwise."""
    script = tmp_path / "plain.py"
    script.write_text(
        "from tutorial_helpers import CLASS_NAMES\n"
        "import tensorflow as tf\n"
        "for given in ({}, {'steps_per_execution': 3}):\n"
        "    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])\n"
        "    model.compile(optimizer='adam', loss='mse', **given)\n"
        "    print('steps per call:', model.steps_per_execution)\n"
        "model.fit(tf.zeros((2, 3)), tf.zeros((2, 2)), verbose=0)\n"
        f"model.save({str(tmp_path / 'm.keras')!r})\n"
        f"loaded = tf.keras.models.load_model({str(tmp_path / 'm.keras')!r})\n"
        "print('loaded, compiled:', loaded.compiled, loaded.loss)\n")
    result = run(script)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("Starting TensorFlow ...\nsteps per call: 50\n"
                             "steps per call: 3\nloaded, compiled: True mse\n")
    assert result.stderr == ""
