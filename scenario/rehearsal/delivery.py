"""What Killercoda gives a scenario's VM, and nothing more.

Killercoda reads the scenario's folder from the repository, runs the scripts its
index.json names (intro background and foreground, each step's verify) and copies
its assets (details.assets.host01, from the folder's assets/) to their targets. The
rehearsal does the same from the same folder at the rehearsed commit: stage() takes
that folder alone out of the checkout (git archive), and the learner's side gets only
what scripts() and assets() put in it. Nothing else of the checkout reaches the VM:
the tutorial's code arrives as the scenario's own assets (scenario/pack), or not at all.
"""
import json
import shutil
import subprocess

from .machine import INSIDE

SCRIPTS_INSIDE = f"{INSIDE}/scenario"   # where the rehearsal's VM keeps the scripts it runs


def stage(checkout, commit, name, into):
    """scenario/NAME at `commit` of `checkout`, alone, extracted under `into` (outside
    the VM, as Killercoda holds it): that folder's path."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(checkout), "archive", "--format=tar", commit,
                              f"scenario/{name}"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "scenario" / name


def index(folder):
    return json.loads((folder / "index.json").read_text())


def scripts(folder):
    """The files index.json has Killercoda run, relative to the folder."""
    details = index(folder)["details"]
    named = [details["intro"].get(key) for key in ("background", "foreground")]
    named += [step.get(key) for step in details["steps"] for key in ("background", "foreground",
                                                                     "verify")]
    return [name for name in named if name]


def deliver_scripts(folder, vm):
    """Killercoda's scripts into the VM at `vm` (its root folder), under SCRIPTS_INSIDE."""
    written = []
    for name in scripts(folder):
        target = vm / SCRIPTS_INSIDE.lstrip("/") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / name, target)
        written.append(target)
    return written


def asset_target(asset):
    """The folder an asset goes to in the VM, as an absolute path ('~' is /root)."""
    target = asset["target"]
    if target == "~" or target.startswith("~/"):
        target = "/root" + target[1:]
    return target


def deliver_assets(folder, vm):
    """index.json's assets, from the folder's assets/, to their targets in the VM at
    `vm`, each written whole and then renamed (as a copy that lands at once), then
    chmod as asked. The paths written."""
    written = []
    for asset in index(folder)["details"].get("assets", {}).get("host01", []):
        sources = sorted((folder / "assets").glob(asset["file"]))
        if not sources:
            raise RuntimeError(f"index.json names an asset that is not there: {asset['file']}")
        for source in sources:
            target = vm / asset_target(asset).lstrip("/") / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            shutil.copy(source, partial)
            partial.rename(target)
            if asset.get("chmod"):
                subprocess.run(["chmod", asset["chmod"], str(target)], check=True)
            written.append(target)
    return written
