"""Load test: one real `streamlit run` server, N concurrent sessions in headless Chromium, all pressing Train.

python -m benchmarks.load --sessions 8                  # 8 identical sessions (the default preset)
python -m benchmarks.load --sessions 30 --mixed         # 30 sessions spread over every preset
python -m benchmarks.load --sessions 2 --seconds 5      # a quick check that it runs

Reports each session's training progress (steps/s read off its status line) against a lone session measured
first on the same server, the health endpoint's latency (median, p95, max, polled every 0.25 s throughout),
the server's peak memory (PSS of the server and its training processes) and every exception: Streamlit
exception boxes on the pages, JavaScript page errors, and tracebacks in the server log.

The browser renderers run at the lowest CPU priority: on a deployment the browsers are the participants'
own machines, so what is measured here is the server's share of the cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import urllib.request
from pathlib import Path

from benchmarks.app_server import Sampler, app_server, chromium, status, wait_until
from benchmarks.dashboard import MemoryPeak
from dashboard.presets import DEFAULT_PRESET, PRESETS

EXCEPTION_BOX = "[data-testid='stException']"
STARVED = 120_000  # ms a page may take to draw its status line: thirty pages on two cores are slow
WARM_UP = 10.0  # seconds between the last page showing progress and the start of the measuring window
BROWSER_GROUP_NICE = 10  # 19 starved the pages outright; 10 leaves them a tenth of contended cores


class HealthPoller(Sampler):
    """Polls /_stcore/health every 0.25 s in a thread; keeps every latency (a failure counts as 10 s)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.latencies = url, []

    def sample(self) -> None:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=10) as response:
                response.read()
            self.latencies.append(time.perf_counter() - started)
        except OSError:
            self.latencies.append(10.0)


def renice_browser() -> None:
    """Lowest CPU priority for Chromium, Playwright's driver and this process's own threads.

    They stand in for the participants' own machines: what the test measures is the server's share of the
    cores. Linux priorities are per thread, so every thread of this process is set; and where the kernel
    groups processes by session (autogroup), Chromium's groups get the lowest group priority too.
    """
    mine = {int(task.name) for task in Path("/proc/self/task").iterdir()}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            browser = (entry / "comm").read_text().strip() in ("chromium", "chrome", "node", "headless_shell")
            targets = mine if int(entry.name) == os.getpid() else {int(entry.name)} if browser else set()
            for target in targets:
                os.setpriority(os.PRIO_PROCESS, target, 19)
            if browser:  # Chromium starts sessions of its own; with autogroups only the group's nice counts
                (entry / "autogroup").write_text(str(BROWSER_GROUP_NICE))
        except OSError:
            continue


def open_session(browser, url: str, preset: str, seed: int, errors: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(180_000)  # thirty pages on two cores: a starved page may take a while to answer
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/?preset={preset}" + (f"&seed={seed}" if seed else ""))
    page.get_by_role("button", name="Train").wait_for(timeout=120_000)
    return page


def progress(pages: list, seconds: float) -> list[float]:
    """Steps/s of every page over the same window, read off each status line."""
    try:
        wait_until(lambda: all(status(page, STARVED)[1] > 0 for page in pages), seconds=180, every=0.5)
    except TimeoutError:
        stuck = [index for index, page in enumerate(pages) if status(page, STARVED)[1] == 0]
        print(f"  sessions still at step 0 after 180 s: {stuck} (measured anyway)", flush=True)
    time.sleep(WARM_UP)  # every page following and redrawing before the window opens
    start = [(time.perf_counter(), status(page, STARVED)[1]) for page in pages]
    time.sleep(seconds)
    end = [(time.perf_counter(), status(page, STARVED)[1]) for page in pages]
    return [(e[1] - s[1]) / (e[0] - s[0]) for s, e in zip(start, end, strict=True)]


def press_train(page) -> None:
    page.get_by_role("button", name="Train").click(timeout=120_000)


def run(sessions: int, mixed: bool, seconds: float) -> dict:
    presets = list(PRESETS) if mixed else [DEFAULT_PRESET]
    errors: list[str] = []
    with app_server() as (url, log, pid), chromium() as browser, HealthPoller(url) as health:
        renice_browser()
        lone = open_session(browser, url, DEFAULT_PRESET, seed=1, errors=errors)  # seed 1: a run of its own
        renice_browser()
        press_train(lone)
        lone_rate = progress([lone], seconds)[0]
        lone.get_by_role("button", name="Pause").click()
        lone.close()

        pages = []
        with MemoryPeak(pid) as peak:
            for index in range(sessions):
                pages.append(open_session(browser, url, presets[index % len(presets)], seed=0, errors=errors))
                renice_browser()
            opened = time.perf_counter()
            for page in pages:
                press_train(page)
            rates = progress(pages, seconds)
            boxes = sum(page.locator(EXCEPTION_BOX).count() for page in pages)
        tracebacks = log.read_text().count("Traceback")
        for page in pages:
            page.close()
    latencies = sorted(health.latencies)
    return {
        "sessions": sessions,
        "mixed": mixed,
        "lone": lone_rate,
        "rates": rates,
        "presets": [presets[index % len(presets)] for index in range(sessions)],
        "health": latencies,
        "memory": peak.result(),
        "exceptions": boxes,
        "page_errors": errors,
        "tracebacks": tracebacks,
        "opened_seconds": time.perf_counter() - opened,
    }


def report(result: dict) -> None:
    rates, lone, latencies = result["rates"], result["lone"], result["health"]
    kind = "mixed presets" if result["mixed"] else f"identical ({DEFAULT_PRESET})"
    print(f"{result['sessions']} sessions, {kind}")
    print(f"  lone session: {lone:.1f} steps/s")
    ratios = [rate / lone for rate in rates]
    print(
        f"  per session: median {statistics.median(rates):.1f} steps/s = {statistics.median(ratios):.2f}× lone; "
        f"slowest {min(ratios):.2f}×, fastest {max(ratios):.2f}×"
    )
    if result["mixed"]:
        for preset in dict.fromkeys(result["presets"]):
            mine = [r / lone for r, p in zip(rates, result["presets"], strict=True) if p == preset]
            print(f"    {preset:<12} {len(mine)} sessions: {statistics.median(mine):.2f}× lone")
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"  health: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms ({len(latencies)} polls)"
    )
    memory = result["memory"]
    parts = ", ".join(f"{name} {size:.0f}" for name, size in memory["parts"].items())
    print(f"  server memory, peak PSS: {memory['total']:.0f} MB ({parts})")
    print(
        f"  exceptions: {result['exceptions']} on pages, {len(result['page_errors'])} page errors, "
        f"{result['tracebacks']} tracebacks in the server log"
    )
    for error in result["page_errors"][:5]:
        print(f"    page error: {error[:200]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help="concurrent browser sessions (default 8)")
    parser.add_argument("--mixed", action="store_true", help="spread the sessions over every preset")
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring window (default 20 s)")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 60:
        parser.error("--sessions must be between 1 and 60")
    report(run(args.sessions, args.mixed, args.seconds))


if __name__ == "__main__":
    main()
