"""The dashboard in a real browser: Train → first chart, Pause latency, app vs engine steps/s, time to verdict.

python -m benchmarks.dashboard            # the full measurement, about two minutes
python -m benchmarks.dashboard --quick    # one short round, to check it runs
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.app_server import app_server, chromium, contenders_drawn, status, wait_until
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


def seconds_to_verdict(page, url: str, limit: float) -> float:
    """Fresh page, default preset, Train: seconds until every expected verdict shows on the cards."""
    expected = PRESETS[DEFAULT_PRESET].expect
    page.goto(url)
    page.get_by_role("button", name="Train").wait_for()
    clicked = time.perf_counter()
    page.get_by_role("button", name="Train").click()

    needed: dict[str, int] = {}  # verdict text on the cards -> how many contenders must show it
    for allowed in expected.values():
        text = {"solved": "solved at step", "at_chance": "at chance", "diverged": "diverged at step"}[allowed[0]]
        needed[text] = needed.get(text, 0) + 1

    def decided() -> bool:
        body = page.locator("body").inner_text()
        return all(body.count(text) >= count for text, count in needed.items())

    wait_until(decided, seconds=limit, every=0.2)
    elapsed = time.perf_counter() - clicked
    page.get_by_role("button", name="Pause").click()
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short round: checks that it runs")
    args = parser.parse_args(argv)
    rounds, watch = (1, 3.0) if args.quick else (3, 10.0)
    results: list[dict[str, float]] = []
    engine: list[float] = []
    with app_server() as (url, _log), chromium() as browser:
        for _ in range(rounds):
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            results.append(train_and_watch(page, url, watch))
            page.close()
            engine.append(engine_rate(60 if args.quick else 300))  # the app is paused meanwhile
        report(results, engine)
        if not args.quick:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            verdict = seconds_to_verdict(page, url, limit=180)
            page.close()
            print(f"{'default preset: Train → verdict visible (s)':<44} {verdict:>10.1f}")


def report(results: list[dict[str, float]], engine: list[float]) -> None:
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    engine_median = statistics.median(engine)
    print(f"{'figure':<44} {'median':>10}  (runs)")
    print(f"{'Train → first chart (s)':<44} {median['first_chart']:>10.2f}  {_runs(results, 'first_chart')}")
    print(f"{'Pause click → status shows Paused (s)':<44} {median['pause']:>10.2f}  {_runs(results, 'pause')}")
    print(
        f"{'app steps/s (4 contenders, default preset)':<44} {median['app_rate']:>10.1f}  {_runs(results, 'app_rate')}"
    )
    print(
        f"{'engine alone steps/s (same config, 1 thread)':<44} {engine_median:>10.1f}  {[round(e, 1) for e in engine]}"
    )
    print(f"{'app / engine':<44} {median['app_rate'] / engine_median:>10.2f}")


def _runs(results: list[dict[str, float]], key: str) -> list[float]:
    return [round(r[key], 2) for r in results]


if __name__ == "__main__":
    main()
