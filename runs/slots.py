"""How many runs may train at once (slots) and how many training processes are kept: from the environment, the
cgroup CPU quota and the CPU affinity."""

from __future__ import annotations

import os


def default_processes(slots: int) -> int:
    """Training processes kept at most: RNN_LAB_MAX_PROCESSES if set, else four per slot. Beyond that, the runs
    that have not trained for longest give theirs up (each costs ~40 MB beside the shared pages); their state is
    kept and a new process resumes it exactly when they train again."""
    configured = os.environ.get("RNN_LAB_MAX_PROCESSES", "").strip()
    return int(configured) if configured.isdigit() and int(configured) > 0 else 4 * slots


def default_slots(cpu_max: str = "/sys/fs/cgroup/cpu.max") -> int:
    """Training slots: RNN_LAB_MAX_RUNS if set, else one per core this process may use (each run trains on one
    thread). In a container `os.cpu_count()` reports the host's cores: the cgroup's CPU quota, when there is one,
    and the CPU affinity bound them."""
    configured = os.environ.get("RNN_LAB_MAX_RUNS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cgroup_cores(cpu_max)
    return max(1, min(cores, quota) if quota is not None else cores)


def cgroup_cores(path: str) -> int | None:
    """Whole cores the cgroup v2 CPU quota allows ("200000 100000" → 2; "max 100000" → None: no quota)."""
    try:
        with open(path) as stream:
            quota, period = stream.read().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return max(1, int(int(quota) / int(period)))
    except (ValueError, ZeroDivisionError):
        return None
