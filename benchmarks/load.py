"""Load test: one real `streamlit run` server, N concurrent sessions in headless Chromium, all pressing Train.

python -m benchmarks.load --sessions 8                  # 8 identical sessions (the default preset)
python -m benchmarks.load --sessions 30 --mixed         # 30 sessions spread over every preset
python -m benchmarks.load --sessions 2 --seconds 5      # a quick check that it runs
python -m benchmarks.load --protocol --sessions 40 --mixed   # simulated browsers instead (see benchmarks.crowd)
python -m benchmarks.load --protocol --sessions 40 --mixed --instructor 15   # after one page, as in a workshop
python -m benchmarks.load --protocol --sessions 8 --alternate 2.5   # the crowd's redraws on and off, 2.5 s each

Reports each session's training progress (steps/s, from the steps the server logs sending it) against a
lone session measured first on the same server, how far behind the pages draw, the health endpoint's
latency (median, p95, max, polled every 0.25 s throughout), the server's peak memory (PSS of the server and
its training processes) and every exception: Streamlit exception boxes on the pages, JavaScript page
errors, and tracebacks in the server log.

The browser renderers run at the lowest CPU priority: on a deployment the browsers are the participants'
own machines, so what is measured here is the server's share of the cores.
"""

from __future__ import annotations

import argparse
import os
import re
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
    # One past the preset's gap: settings of no preset, whose run never stops at a deciding step mid-window.
    steady = f"&gap={PRESETS[preset].config.gap + 1}" if preset == DEFAULT_PRESET else ""
    page.goto(f"{url}/?preset={preset}{steady}" + (f"&seed={seed}" if seed else ""))
    page.get_by_role("button", name="Train").wait_for(timeout=120_000)
    return page


Rate = tuple[str, float, int]  # preset, steps/s, server redraws in the window


def progress(pages: list, page_presets: list[str], seconds: float, log: Path) -> tuple[list[Rate], list[int]]:
    """Every session's steps/s over one window, and how many steps behind its run each page's drawing is.

    The server (run with RNN_LAB_PROGRESS_LOG=1) logs the step it sends each session, with its own clock,
    at every redraw. A session's rate is the slope of a least-squares line through those points: its
    progress as the server delivers it, whatever the page's browser makes of it. Returns (preset, steps/s,
    redraws in the window) per session, and each page's lag at the end: the newest step the server sent
    for its preset minus the step on its status line (the browsers share this machine's two cores).
    """
    try:
        wait_until(lambda: all(status(page, STARVED)[1] > 0 for page in pages), seconds=180, every=0.5)
    except TimeoutError:
        stuck = [index for index, page in enumerate(pages) if status(page, STARVED)[1] == 0]
        print(f"  sessions still at step 0 after 180 s: {stuck} (measured anyway)", flush=True)
    time.sleep(WARM_UP)  # every page following and redrawing before the window opens
    opened = time.time()
    time.sleep(seconds)
    closed = time.time()
    drawn = [status(page, STARVED) for page in pages]
    points: dict[str, list[tuple[float, int]]] = {}
    presets: dict[str, str] = {}
    newest: dict[str, int] = {}
    for session, preset, step, at in progress_lines(log):
        if at >= opened:
            newest[preset] = max(newest.get(preset, 0), step)
        if opened <= at <= closed:
            points.setdefault(session, []).append((at, step))
            presets[session] = preset
    rates = [(presets[session], _slope(mine), len(mine)) for session, mine in points.items()]
    lags = [newest.get(preset, 0) - step for preset, (_, step) in zip(page_presets, drawn, strict=True)]
    return rates, lags


PROGRESS_LINE = re.compile(r"^rnn-lab-progress (\S+) (\w+) (\d+) (\d+\.\d+)$", re.MULTILINE)


def progress_lines(log: Path) -> list[tuple[str, str, int, float]]:
    """(session, preset, step, server time) for every redraw the server logged."""
    found = PROGRESS_LINE.findall(log.read_text())
    return [(session, preset, int(step), float(at)) for session, preset, step, at in found]


def _slope(readings: list[tuple[float, int]]) -> float:
    if len(readings) < 2:
        return 0.0
    times, steps = zip(*readings, strict=True)
    return statistics.linear_regression(times, steps).slope


def press_train(page) -> None:
    page.get_by_role("button", name="Train").click(timeout=120_000)


def run(sessions: int, mixed: bool, seconds: float) -> dict:
    choices = list(PRESETS) if mixed else [DEFAULT_PRESET]
    presets = [choices[index % len(choices)] for index in range(sessions)]
    errors: list[str] = []
    server = app_server(env={"RNN_LAB_PROGRESS_LOG": "1"})
    with server as (url, log, pid), chromium() as browser, HealthPoller(url) as health:
        renice_browser()
        lone = open_session(browser, url, DEFAULT_PRESET, seed=1, errors=errors)  # seed 1: a run of its own
        renice_browser()
        press_train(lone)
        lone_rates, _ = progress([lone], [DEFAULT_PRESET], seconds, log)
        lone.get_by_role("button", name="Pause").click()
        lone.close()

        pages = []
        with MemoryPeak(pid) as peak:
            for preset in presets:
                pages.append(open_session(browser, url, preset, seed=0, errors=errors))
                renice_browser()
            for page in pages:
                press_train(page)
            rates, lags = progress(pages, presets, seconds, log)
            boxes = sum(page.locator(EXCEPTION_BOX).count() for page in pages)
        server_log = log.read_text()
        for page in pages:
            page.close()
    latencies = sorted(health.latencies)
    return {
        "sessions": sessions,
        "mixed": mixed,
        "lone": lone_rates[0][1],
        "rates": rates,
        "lags": lags,
        "health": latencies,
        "memory": peak.result(),
        "exceptions": boxes,
        "page_errors": errors,
        "tracebacks": server_log.count("Traceback"),
        "first_traceback": server_log[server_log.find("Traceback") :][:3000] if "Traceback" in server_log else "",
    }


def report(result: dict) -> None:
    lone, latencies = result["lone"], result["health"]
    measured = [(preset, rate) for preset, rate, redraws in result["rates"] if redraws >= 2]
    kind = "mixed presets" if result["mixed"] else f"identical ({DEFAULT_PRESET})"
    print(f"{result['sessions']} sessions, {kind}")
    print(f"  lone session: {lone:.1f} steps/s")
    ratios = [rate / lone for _, rate in measured]
    redraws = sorted(count for _, _, count in result["rates"])
    print(
        f"  per session ({len(measured)} of {result['sessions']} measured): median "
        f"{statistics.median(rate for _, rate in measured):.1f} steps/s = {statistics.median(ratios):.2f}× lone; "
        f"slowest {min(ratios):.2f}×, fastest {max(ratios):.2f}× "
        f"(server redraws per session in the window: median {statistics.median(redraws):.0f}, fewest {redraws[0]})"
    )
    if result["mixed"]:
        for preset in dict.fromkeys(preset for preset, _ in measured):
            mine = [rate / lone for name, rate in measured if name == preset]
            print(f"    {preset:<12} {len(mine)} sessions: {statistics.median(mine):.2f}× lone")
    lags = sorted(result["lags"])
    print(
        f"  pages drew their status line {statistics.median(lags):.0f} steps behind their run (median; worst "
        f"{lags[-1]}): on this machine the browsers share the server's two cores, at the lowest priority"
    )
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
    if result["first_traceback"]:
        print("  the server log's first traceback:\n" + result["first_traceback"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help="concurrent browser sessions (default 8)")
    parser.add_argument("--mixed", action="store_true", help="spread the sessions over every preset")
    parser.add_argument(
        "--seconds",
        type=float,
        help="measuring window (default 20 s); protocol mode: the longest the crowd waits for every run to reach "
        "its deciding step (default 120 s)",
    )
    parser.add_argument(
        "--protocol", action="store_true", help="simulated browsers that speak the websocket protocol (no Chromium)"
    )
    parser.add_argument(
        "--presets", help="protocol mode with --mixed: the presets to spread over, comma-separated (default: every one)"
    )
    parser.add_argument("--own", type=int, default=0, help="protocol mode: further sessions with settings of their own")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="protocol mode without --mixed: rounds of a lone session and the crowd, in turn, for the step-rate "
        "ratio (default 4)",
    )
    parser.add_argument(
        "--instructor",
        type=float,
        default=0.0,
        help="protocol mode: open one page first and send the crowd this many seconds after it drew, as a "
        "workshop's instructor does (default 0: the crowd comes to a server that has served nothing yet)",
    )
    parser.add_argument(
        "--alternate",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="protocol mode without --mixed: instead of lone sessions, every round's other sessions fall quiet and "
        "wake up every SECONDS (2 to 10), and the first one's step rate is compared across the phases",
    )
    args = parser.parse_args(argv)
    if args.alternate and not (2 <= args.alternate <= 10 and args.protocol and not args.mixed):
        parser.error("--alternate needs --protocol without --mixed and between 2 and 10 seconds")
    if not 0 <= args.instructor <= 600:
        parser.error("--instructor must be between 0 and 600 seconds")
    if not 1 <= args.sessions <= 60 or not 0 <= args.own <= 30 or not 1 <= args.rounds <= 20:
        parser.error("--sessions must be between 1 and 60, --own between 0 and 30, --rounds between 1 and 20")
    only = [key.strip() for key in args.presets.split(",")] if args.presets else None
    if only and (not args.protocol or not args.mixed or not set(only) <= set(PRESETS)):
        parser.error(f"--presets needs --protocol --mixed and keys from: {', '.join(PRESETS)}")
    if args.protocol:
        from benchmarks import crowd

        seconds = args.seconds or crowd.LIMIT
        crowd.report(
            crowd.measure(
                args.sessions, args.mixed, args.own, seconds, only, args.rounds, args.instructor, args.alternate
            )
        )
    else:
        report(run(args.sessions, args.mixed, args.seconds or 20.0))


if __name__ == "__main__":
    main()
