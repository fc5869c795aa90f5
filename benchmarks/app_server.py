"""A real `streamlit run` server and Debian's Chromium driven by Playwright, for browser tests and benchmarks."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package: Playwright downloads no browser of its own
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATUS = re.compile(r"^(Training|Paused) · Step ([\d,]+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(timeout: float = 60.0, env: dict[str, str] | None = None) -> Iterator[tuple[str, Path, int]]:
    """Start the dashboard on a free local port; yield its URL, log file and process id; stop it afterwards.

    `env`: extra environment variables for the server (e.g. RNN_LAB_PROGRESS_LOG=1 for the load test).
    """
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "streamlit.log"
        with log.open("w") as stream:
            process = subprocess.Popen(
                command, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})}
            )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: process.poll() is not None or healthy(url), seconds=timeout, every=0.3)
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {log.read_text()}")
            yield url, log, process.pid
        finally:
            process.terminate()
            process.wait(timeout=20)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read() == b"ok"
    except OSError:
        return False


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright's Browser)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `apt-get install chromium` (tests/run.sh does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def memory(pid: int) -> dict[str, float]:
    """Proportional set size (MB) of a process ("server") and of each descendant, by role (Linux /proc).

    PSS shares each page among the processes that map it, so the figures add up to the memory they use.
    Children of the server are the forkserver and multiprocessing's resource tracker; the forkserver's
    children are training runs.
    """
    sizes: dict[str, float] = {}
    pending = [(pid, 0)]
    while pending:
        current, depth = pending.pop()
        try:
            command = Path(f"/proc/{current}/cmdline").read_bytes()
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # it exited meanwhile
        pss = next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
        role = ["server", "resource tracker" if b"resource_tracker" in command else "forkserver", "run"][min(depth, 2)]
        key = role if role not in sizes else f"{role} {current}"
        sizes[key] = pss / 1024
        pending += [(int(child), depth + 1) for child in children]
    return sizes


class Sampler:
    """Calls `sample()` every `every` seconds in a thread while the `with` block runs."""

    every = 0.25

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _loop(self) -> None:
        while not self.stopped.wait(self.every):
            self.sample()

    def sample(self) -> None:
        raise NotImplementedError


def status(page: Any, timeout: float = 30_000) -> tuple[str, int]:
    """The page's status line: ("Training" or "Paused", step); waits up to `timeout` ms for it."""
    text = page.locator("[data-testid='stMarkdown']").filter(has_text=STATUS).first.inner_text(timeout=timeout)
    state, step = STATUS.match(text).groups()
    return state, int(step.replace(",", ""))


def contenders_drawn(chart: Any) -> set[str]:
    """Contender keys that have a line in a rendered Vega chart (read from Vega's SVG aria labels)."""
    labels = chart.locator("[aria-roledescription='line mark']").evaluate_all(
        "marks => marks.map(m => m.getAttribute('aria-label') || '')"
    )
    return {match for label in labels for match in re.findall(r"contender: (\w+)", label)}


def wait_until(condition: Callable[[], Any], seconds: float = 60.0, every: float = 0.1) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {seconds} s")
        time.sleep(every)
