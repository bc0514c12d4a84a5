"""The rehearsal gives each VM what Killercoda gives it, from the scenario's folder alone:
index.json's scripts, then its assets at their targets; nothing of the checkout."""
import ast
import shutil
import subprocess
import sys
import tarfile

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal.delivery import (SCRIPTS_INSIDE, asset_target, deliver_assets,  # noqa: E402
                                deliver_scripts, index, scripts, stage)

SCENARIO = ROOT / "scenario"
NAMES = [item["path"] for item in __import__("json").loads(
    (SCENARIO / "structure.json").read_text())["items"]]


def files_under(folder):
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", NAMES)
def test_the_vm_gets_only_what_index_json_names_from_the_folder_alone(name, tmp_path):
    # The scenario's folder alone, away from the checkout: all the VM can get.
    folder = tmp_path / "alone" / name
    shutil.copytree(SCENARIO / name, folder)
    vm = tmp_path / "vm"
    vm.mkdir()
    deliver_scripts(folder, vm)
    assert files_under(vm) == {f"{SCRIPTS_INSIDE.lstrip('/')}/{s}" for s in scripts(folder)}
    written = deliver_assets(folder, vm)
    expected = {f"{asset_target(a).lstrip('/')}/{a['file']}"
                for a in index(folder)["details"]["assets"]["host01"]}
    assert {str(p.relative_to(vm)) for p in written} == expected
    assert files_under(vm) == expected | {f"{SCRIPTS_INSIDE.lstrip('/')}/{s}" for s in scripts(folder)}
    assert (vm / "usr/local/bin/tutorial").stat().st_mode & 0o111  # chmod +x, as asked
    # The tutorial's code reaches the VM in the scenario's own archive, as in the tree.
    with tarfile.open(vm / "usr/local/share/fashion-mnist-tutorial/tutorial.tar") as tar:
        assert tar.extractfile("step2.py").read() == (ROOT / "step2.py").read_bytes()


def test_a_missing_asset_stops_the_delivery(tmp_path):
    folder = tmp_path / "first-model"
    shutil.copytree(SCENARIO / "first-model", folder)
    (folder / "assets" / "tutorial.tar").unlink()
    with pytest.raises(RuntimeError, match="tutorial.tar"):
        deliver_assets(folder, tmp_path / "vm")


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the checkout's git history")
def test_stage_takes_the_scenario_folder_alone_from_the_commit(tmp_path):
    folder = stage(ROOT, "HEAD", "first-model", tmp_path)
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", "HEAD",
                              "scenario/first-model/"], capture_output=True, text=True,
                             check=True).stdout.split()
    assert folder == tmp_path / "scenario" / "first-model"
    assert files_under(tmp_path) == set(tracked)


# Where the rehearsal may name the checkout (args.repo, CHECKOUT, a `checkout` path):
# to note the commit (prepare), to list the course (main) and to stage a scenario's
# folder from it (staged, stage); CHECKOUT's definition, at the top of rehearse.
# Anywhere else, the learner's side could read it.
ALLOWED = {("rehearse", None), ("rehearse", "main"), ("rehearse", "staged"), ("journey.py", "prepare"),
           ("delivery.py", "stage")}


def checkout_uses(path):
    """(file, enclosing function) of each use of the checkout in a source file."""
    tree = ast.parse(path.read_text())
    found = []

    def visit(node, function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        names_checkout = (
            (isinstance(node, ast.Attribute) and node.attr == "repo")
            or (isinstance(node, ast.Name) and node.id in ("CHECKOUT", "checkout"))
            or (isinstance(node, ast.arg) and node.arg == "checkout"))
        if names_checkout:
            found.append((path.name, function))
        for child in ast.iter_child_nodes(node):
            visit(child, function)
    visit(tree, None)
    return found


def test_the_rehearsal_reads_the_checkout_only_to_stage_the_scenario_folder():
    sources = [SCENARIO / "rehearse", *sorted((SCENARIO / "rehearsal").glob("*.py"))]
    uses = {use for path in sources for use in checkout_uses(path)}
    assert uses - ALLOWED == set(), f"the checkout is read outside {ALLOWED}: {uses - ALLOWED}"
    assert ("delivery.py", "stage") in uses  # the test sees the one allowed reader
    for path in sources:
        text = path.read_text()
        assert "git clone" not in text and "REPO_URL" not in text, path.name


def test_the_test_sees_a_checkout_read_in_the_journey(tmp_path):
    planted = tmp_path / "journey.py"
    planted.write_text("def rehearse(args, root):\n"
                       "    shutil.copytree(Path(args.repo) / 'tutorial_helpers', root.path)\n")
    assert checkout_uses(planted) == [("journey.py", "rehearse")]
