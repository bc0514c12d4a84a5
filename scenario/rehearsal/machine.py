"""The fresh minimal Debian root and the learner's shell in it."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INSIDE = "/var/lib/rehearse"                     # the rehearsal's own folder in the root
ENV = {"HOME": "/root", "USER": "root", "LOGNAME": "root", "SHELL": "/bin/bash",
       "TERM": "xterm", "LANG": "C.UTF-8",
       "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
CLICK_TIMEOUT = 1800  # s, per click
# s: a deadline that only stops a hang (a probe, the setup's exit once Ready): long
# enough for a slow 2-core machine that is busy with other work.
HANG_S = 900
UBUNTU = {"jammy", "noble"}  # releases rehearsed from Ubuntu's archive (--mirror)
UBUNTU_MIRROR = "http://archive.ubuntu.com/ubuntu"


def log(message):
    print(f"[rehearse {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(*command, **kwargs):
    kwargs.setdefault("check", True)
    return subprocess.run(command, **kwargs)


def mounts_under(path):
    """Mount points at or under path, deepest first."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            if point == str(path) or point.startswith(str(path) + "/"):
                found.append(point)
    return sorted(found, key=len, reverse=True)


def processes_in(root):
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "root") == str(root):
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


class Root:
    """A minimal Debian, built once in a temporary folder (the base), and a fresh copy
    of it for each scenario, as each gets a fresh VM; remove() undoes everything, once."""

    def __init__(self, suite, mirror, debs_cache):
        self.folder = Path(tempfile.mkdtemp(prefix="rehearse-"))
        self.base = self.folder / "base"
        self.path = self.base    # the root in use: the base while it is built, then a copy
        self.suite, self.mirror, self.debs_cache = suite, mirror, debs_cache
        self.removed = False
        self.debootstrap = None  # its process, while it runs
        self.memory = None       # the learner's side's memory cgroup (cgroup.Memory)
        self.cpus = None         # the CPUs the learner's side may use (None: all)
        self.terminal = None     # the learner's terminal (terminal.Terminal), once opened

    def learner_side(self):
        """preexec_fn of every process of the learner's side: into the memory cgroup,
        onto the chosen CPUs."""
        if self.memory:
            self.memory.enter()
        if self.cpus:
            os.sched_setaffinity(0, self.cpus)

    def debootstrap_command(self):
        command = ["debootstrap", "--variant=minbase", self.suite, str(self.path), self.mirror]
        if self.suite in UBUNTU:
            # Ubuntu's image has universe (python3.X-venv's siblings, the data package);
            # an older debootstrap lacks the release's script, which is gutsy's.
            command.insert(1, "--components=main,universe")
            keyring = Path("/usr/share/keyrings/ubuntu-archive-keyring.gpg")
            # Without Ubuntu's keyring (package ubuntu-keyring) the archive's signature
            # cannot be checked here; the rehearsal says so and goes on.
            command.insert(1, f"--keyring={keyring}" if keyring.exists() else "--no-check-gpg")
            if not Path(f"/usr/share/debootstrap/scripts/{self.suite}").exists():
                command.append("/usr/share/debootstrap/scripts/gutsy")
        return command

    def build(self):
        command = self.debootstrap_command()
        if self.debs_cache:
            Path(self.debs_cache).mkdir(parents=True, exist_ok=True)
            command.insert(1, f"--cache-dir={Path(self.debs_cache).resolve()}")
        log(f"debootstrap {self.suite} from {self.mirror} into {self.path}"
            + (" (no keyring for its signature: not checked)" if "--no-check-gpg" in command else ""))
        with open(self.folder / "debootstrap.log", "w") as out:
            # Its own session, so that remove() can stop it and all its children.
            self.debootstrap = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                                start_new_session=True)
            returncode = self.debootstrap.wait()
        if returncode != 0:
            tail = (self.folder / "debootstrap.log").read_text().splitlines()[-15:]
            raise SystemExit("debootstrap failed:\n" + "\n".join(tail))
        self.mount()
        # This machine's way to the registries: DNS, pip's settings, local CAs.
        shutil.copy("/etc/resolv.conf", self.path / "etc" / "resolv.conf")
        if Path("/etc/pip.conf").is_file():
            shutil.copy("/etc/pip.conf", self.path / "etc" / "pip.conf")
        local_cas = self.path / "usr" / "local" / "share" / "ca-certificates"
        local_cas.mkdir(parents=True, exist_ok=True)
        for ca in Path("/usr/local/share/ca-certificates").glob("**/*.crt"):
            shutil.copy(ca, local_cas / ca.name)
        bundle = Path("/etc/ssl/certs/ca-certificates.crt")
        if bundle.is_file():
            (self.path / "etc" / "ssl" / "certs").mkdir(parents=True, exist_ok=True)
            shutil.copy(bundle, self.path / "etc" / "ssl" / "certs" / bundle.name)
        (self.path / INSIDE.lstrip("/")).mkdir(parents=True)

    def mount(self):
        """/proc, /sys and /dev in the root in use, as a VM has them."""
        for target, how in [("proc", ["-t", "proc", "proc"]), ("sys", ["--rbind", "/sys"]),
                            ("dev", ["--rbind", "/dev"])]:
            run("mount", *how, str(self.path / target))
            if how[0] == "--rbind":
                run("mount", "--make-rslave", str(self.path / target))

    def fresh(self, name):
        """A fresh copy of the base as the root in use, for the scenario `name` (a fresh
        VM): the root in use before it is released first (its processes stopped, its
        mounts undone, its files removed; the base is only unmounted). Its seconds."""
        start = time.monotonic()
        self.release()
        self.path = self.folder / f"root-{name}"
        # The base is unmounted: cp -a copies its files only, never the host's /proc.
        run("cp", "-a", "--reflink=auto", str(self.base), str(self.path))
        self.mount()
        return time.monotonic() - start

    def release(self):
        """Stop every process in the root in use and undo its mounts; remove the root,
        unless it is the base (False if a mount would not go: the folder is left)."""
        if self.terminal:
            self.terminal.close()
            self.terminal = None
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = processes_in(self.path)
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            deadline = time.time() + 5
            while pids and processes_in(self.path) and time.time() < deadline:
                time.sleep(0.2)
        for point in mounts_under(self.path):
            subprocess.run(["umount", "-R", point], stderr=subprocess.DEVNULL)
        for point in mounts_under(self.path):
            subprocess.run(["umount", "-R", "-l", point], stderr=subprocess.DEVNULL)
        left = mounts_under(self.path)
        if left:
            print(f"rehearse: still mounted, {self.path} left in place: {left}", file=sys.stderr)
            return False
        if self.path != self.base:
            subprocess.run(["rm", "-rf", "--one-file-system", str(self.path)])
        return True

    def inside(self, path):
        return self.path / str(path).lstrip("/")

    def command(self, *words, env=None):
        return ["chroot", str(self.path), "/usr/bin/env", "-i",
                *[f"{k}={v}" for k, v in {**ENV, **(env or {})}.items()], *words]

    def remove(self):
        if self.removed:
            return
        self.removed = True
        if self.debootstrap and self.debootstrap.poll() is None:  # stopped while building
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.debootstrap.pid, sig)
                    self.debootstrap.wait(timeout=10)
                    break
                except (OSError, subprocess.TimeoutExpired):
                    pass
        released = self.release()
        self.path = self.base
        if not (released and self.release()):
            return
        left = mounts_under(self.folder)
        if left:
            print(f"rehearse: still mounted, {self.folder} left in place: {left}", file=sys.stderr)
            return
        subprocess.run(["rm", "-rf", "--one-file-system", str(self.folder)])


# --- the learner's shell -----------------------------------------------------------------

class Shell:
    """One bash in the root, as Killercoda's terminal: each click runs in it, in turn."""

    def __init__(self, root):
        self.root, self.count = root, 0
        self.exchange = root.inside(INSIDE) / "clicks"
        self.exchange.mkdir(parents=True)
        self.log = open(root.folder / "shell.log", "w")
        self.process = subprocess.Popen(root.command("/bin/bash", "-i"), stdin=subprocess.PIPE,
                                        preexec_fn=root.learner_side,
                                        stdout=self.log, stderr=subprocess.STDOUT, text=True)
        # Debian's prompt, as the terminal has one (activate puts "(.venv) " before it).
        self.send("set +H; PS1='\\u@\\h:\\w\\$ '")

    def send(self, text):
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def run(self, command, timeout=CLICK_TIMEOUT):
        """(exit code, stdout, stderr, seconds) of command, run in the shell."""
        self.count += 1
        n, inside = self.count, f"{INSIDE}/clicks/{self.count}"
        for suffix in ("out", "err", "rc"):
            (self.exchange / f"{n}.{suffix}").unlink(missing_ok=True)
        start = time.monotonic()
        self.send(f"{{ {command}\n}} >{inside}.out 2>{inside}.err </dev/null; "
                  f"echo $? >{inside}.rc.tmp; mv {inside}.rc.tmp {inside}.rc")
        rc_file = self.exchange / f"{n}.rc"
        while not rc_file.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"the learner's shell ended (exit {self.process.returncode})")
            if time.monotonic() - start > timeout:
                raise RuntimeError(f"no end after {timeout} s: {command}")
            time.sleep(0.1)
        seconds = time.monotonic() - start
        read = lambda suffix: (self.exchange / f"{n}.{suffix}").read_text(errors="replace")
        return int(read("rc").strip() or -1), read("out"), read("err"), seconds

    def probe(self, command):
        return self.run(command, timeout=HANG_S)[1]
