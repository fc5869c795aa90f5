"""The dashboard in a real browser: first chart, Pause latency, app vs engine steps/s, verdict time, memory.

Part of `python -m benchmarks`; alone: python -m benchmarks.dashboard [--quick]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.app_server import Sampler, app_server, chromium, contenders_drawn, memory, status, wait_until
from benchmarks.timing import Row, median, spread
from dashboard.presets import DEFAULT_PRESET, PRESETS
from models.trainer import Trainer, limit_threads


def engine_rate(steps: int) -> float:
    """Steps/s of the default configuration in this process, one intra-op thread, as the app trains."""
    limit_threads(1)
    trainer = Trainer(PRESETS[DEFAULT_PRESET].config)
    trainer.advance(5)
    started = time.perf_counter()
    trainer.advance(steps)
    return steps / (time.perf_counter() - started)


def train_and_watch(page, url: str, seconds: float) -> dict[str, float]:
    """Press Train on a fresh page; time the first chart; read the rate off the step counter; pause."""
    page.goto(url)
    page.get_by_role("button", name="Train").wait_for()
    clicked = time.perf_counter()
    page.get_by_role("button", name="Train").click()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    wait_until(lambda: charts.count() >= 3 and contenders_drawn(charts.first), every=0.02)
    first_chart = time.perf_counter() - clicked
    start_time, start_step = time.perf_counter(), status(page)[1]
    time.sleep(seconds)
    end_time, end_step = time.perf_counter(), status(page)[1]
    pressed = time.perf_counter()
    page.get_by_role("button", name="Pause").click()
    wait_until(lambda: status(page)[0] == "Paused", every=0.02)
    pause_seconds = time.perf_counter() - pressed
    return {
        "first_chart": first_chart,
        "app_rate": (end_step - start_step) / (end_time - start_time),
        "pause": pause_seconds,
    }


FRESH_SEED = 101  # the deciding step holds for the preset on any seed


def seconds_to_verdict(page, url: str, limit: float) -> float:
    """Fresh page, default preset, Train: seconds until its claim shows, judged, at the deciding step.

    On a seed no earlier round used: identical settings would join that round's run instead of starting one.
    """
    page.goto(f"{url}/?seed={FRESH_SEED}")
    page.get_by_role("button", name="Train").wait_for()
    clicked = time.perf_counter()
    page.get_by_role("button", name="Train").click()
    page.get_by_text("The claim, decided at step").wait_for(timeout=limit * 1000)
    return time.perf_counter() - clicked


def measure(quick: bool) -> list[Row]:
    """Sections 4 and 6 (and 5 in the browser for the default preset): one server, one browser."""
    rounds, watch = (1, 3.0) if quick else (3, 10.0)
    results: list[dict[str, float]] = []
    engine: list[float] = []
    peaks: list[dict[str, float]] = []
    with app_server() as (url, _log, pid), chromium() as browser:
        for _ in range(rounds):
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            with MemoryPeak(pid) as peak:
                results.append(train_and_watch(page, url, watch))
            peaks.append(peak.result())
            page.close()
            engine.append(engine_rate(60 if quick else 300))  # the app is paused meanwhile
        verdict = None
        if not quick:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            verdict = seconds_to_verdict(page, url, limit=180)
            page.close()
    first = [r["first_chart"] for r in results]
    pause = [r["pause"] for r in results]
    app = [r["app_rate"] for r in results]
    ratios = [a / e for a, e in zip(app, engine, strict=True)]
    fresh = peaks[0]  # later rounds share the server with the earlier rounds' runs until they time out
    parts = ", ".join(f"{name} {size:.0f}" for name, size in fresh["parts"].items())
    browser_note = "real server, headless Chromium on the same cores"
    return [
        Row("4 dashboard", "Train → first chart with all contenders", median(first), "s", spread(first, digits=2)),
        Row("4 dashboard", "Pause click → status shows Paused", median(pause), "s", spread(pause, digits=2)),
        Row("4 dashboard", "app steps/s (default preset)", median(app), "steps/s", browser_note),
        Row("4 dashboard", "engine alone steps/s (same config, 1 thread)", median(engine), "steps/s", spread(engine)),
        Row("4 dashboard", "app / engine alone", median(ratios), "×", spread(ratios, digits=2)),
        Row(
            "5 verdict (browser)",
            f"preset {DEFAULT_PRESET}: Train → claim judged at its deciding step",
            verdict,
            "s",
            browser_note,
        ),
        Row("6 memory", "one session on a fresh server, peak PSS of all its processes", fresh["total"], "MB", parts),
    ]


class MemoryPeak(Sampler):
    """Samples the server's process tree every second while in use; keeps the peak of the total.

    Reading a process's PSS (/proc/<pid>/smaps_rollup) walks its page tables under its memory-map lock: 7 ms for
    a training process. Every 0.2 s over eight processes, the sampler took a quarter of a core from the training
    it measured (it was most of what the load test charged to its simulated browsers) and held each process's
    lock five times a second.
    """

    every = 1.0

    def __init__(self, pid: int) -> None:
        super().__init__()
        self.pid, self.peak = pid, {"total": 0.0, "parts": {}}

    def sample(self) -> None:
        sizes = memory(self.pid)
        total = sum(sizes.values())
        if total > self.peak["total"]:
            self.peak = {"total": total, "parts": sizes}

    def result(self) -> dict:
        return self.peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short round: checks that it runs")
    args = parser.parse_args(argv)
    for row in measure(args.quick):
        print(row.markdown())


if __name__ == "__main__":
    main()
