"""Cgroups that bound one sandboxed run: v2 (a child of the grader's own, delegated cgroup) or v1."""
from __future__ import annotations

import os
import signal
from pathlib import Path

__all__ = ["Cgroup", "CGROUP_ROOT"]

CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_V1 = CGROUP_ROOT  # the v1 layout: one hierarchy per controller, /sys/fs/cgroup/<controller>
_V2_LEAF = "course-grader"  # where the grader moves itself so that its cgroup may delegate (v2)


def _own_v2_group(root: Path) -> Path:
    """The grader's own cgroup in the v2 hierarchy mounted at `root` (from /proc/self/cgroup)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return root / line[3:].strip().lstrip("/")
    raise OSError("no cgroup v2 line in /proc/self/cgroup")


def _v2_parent(root: Path) -> tuple[Path | None, str]:
    """A v2 cgroup under which this grader may make children with the memory and pids
    controllers (its own cgroup, delegated), or (None, why not)."""
    try:
        parent = _own_v2_group(root)
        if {"memory", "pids"} - set((parent / "cgroup.controllers").read_text().split()):
            return None, f"the memory and pids controllers are not delegated to {parent}"
        enabled = set((parent / "cgroup.subtree_control").read_text().split())
        if {"memory", "pids"} - enabled:
            try:
                (parent / "cgroup.subtree_control").write_text("+memory +pids")
            except OSError:  # "no internal processes": move the grader into a leaf of its own
                leaf = parent / _V2_LEAF
                leaf.mkdir(exist_ok=True)
                (leaf / "cgroup.procs").write_text(str(os.getpid()))
                (parent / "cgroup.subtree_control").write_text("+memory +pids")
        return parent, ""
    except OSError as error:
        return None, f"cgroup v2 at {root}: {error.strerror or error}"


class Cgroup:
    """A cgroup bounding one run's memory (swap included) and process count, and killing every
    process in it at the end: cgroup v2 (``memory.max``, ``memory.swap.max``, ``pids.max`` in a
    child of the grader's own, delegated cgroup) or v1 (the memory and pids hierarchies).

    Made where the grader may create cgroups (root in a VM or a privileged container, or a
    delegated systemd scope); elsewhere :meth:`why_not` says why, the grader warns in one line,
    and the address-space and process rlimits the harness sets are the only bounds.
    """

    root = CGROUP_ROOT

    def __init__(self, name: str, memory_bytes: int | None, processes: int | None):
        self.folders: list[Path] = []
        layout, parent, _ = self.layout()
        if layout == "v2":
            plan = [(parent / name, {"memory.max": memory_bytes, "memory.swap.max": 0 if memory_bytes
                                     else None, "pids.max": processes})]
        elif layout == "v1":
            plan = [(self.root / "memory" / name, {"memory.limit_in_bytes": memory_bytes,
                                                   "memory.memsw.limit_in_bytes": memory_bytes}),
                    (self.root / "pids" / name, {"pids.max": processes})]
        else:
            plan = []
        for folder, settings in plan:
            try:
                folder.mkdir()
            except OSError:
                continue
            self.folders.append(folder)
            for file, value in settings.items():
                if value is not None:
                    try:  # a file the kernel does not offer (no swap accounting) is skipped
                        (folder / file).write_text(str(int(value)))
                    except OSError:
                        pass

    @classmethod
    def layout(cls) -> tuple[str, Path | None, str]:
        """("v2", parent, "") or ("v1", None, "") where cgroups can be made, else ("", None, why)."""
        if (cls.root / "cgroup.controllers").exists():
            parent, why = _v2_parent(cls.root)
            return ("v2", parent, "") if parent is not None else ("", None, why)
        for controller in ("memory", "pids"):
            if not os.access(cls.root / controller / "cgroup.procs", os.W_OK):
                return "", None, f"{cls.root / controller} is not writable"
        return "v1", None, ""

    @classmethod
    def available(cls) -> bool:
        """Whether this grader may create memory and pids cgroups here (v2 or v1)."""
        return not cls.why_not()

    @classmethod
    def why_not(cls) -> str:
        """Why no memory and pids cgroup can be made here ('' when they can)."""
        return cls.layout()[2]

    def wrap(self, command: list[str]) -> list[str]:
        """`command`, started from inside the cgroups (children inherit them)."""
        if not self.folders:
            return command
        enter = " ".join(f"echo $$ > {folder / 'cgroup.procs'};" for folder in self.folders)
        return ["/bin/sh", "-c", enter + ' exec "$@"', "sh", *command]

    def close(self) -> None:
        import time

        for folder in self.folders:
            try:  # v2 (Linux 5.14+): one write kills every process in the cgroup
                (folder / "cgroup.kill").write_text("1")
            except OSError:
                pass
            procs = folder / "cgroup.procs"
            for _ in range(50):
                try:
                    pids = [int(p) for p in procs.read_text().split()]
                except OSError:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)
