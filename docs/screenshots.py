"""`python docs/screenshots.py`: every preset at its deciding step (seed 0), as docs/preset-<key>.png;
`python docs/screenshots.py sweep`: the Sweep page for adding, gaps 10–200, 3 seeds, as docs/sweep-adding.png
(drawn from the result cache when `python -m models sweep` ran the same sweep, else trained: minutes);
`python docs/screenshots.py book`: the children's book page at its deciding step, as docs/book.png;
`python docs/screenshots.py zh`: the lab in 中文 at the default preset's deciding step, as docs/lab-zh.png.

A real `streamlit run` server and Debian's Chromium at 1280 px, the width the chart titles are checked at.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root

from benchmarks.app_server import app_server, chromium, status, wait_until
from dashboard.presets import PRESETS

HERE = Path(__file__).resolve().parent
SIZE = {"width": 1280, "height": 2300}  # the cards, the claim, the three charts and the gradient flow


SWEEP = "sweep_task=adding&sweep_gaps=10,20,50,100,150,200&sweep_seeds=3&sweep_steps=1000"


def sweep() -> None:
    with app_server() as (url, _log, _pid), chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/sweep?{SWEEP}")
        page.get_by_role("button", name="Run sweep").click()
        page.get_by_text("6 of 6 gaps done").wait_for(timeout=1_800_000)
        time.sleep(3.0)
        page.screenshot(path=HERE / "sweep-adding.png")
        print("docs/sweep-adding.png", file=sys.stderr)


def deciding(path: str, train: str, done: str, name: str, height: int) -> None:
    """The page at `path` trained (its button `train`) to its deciding step, where the text `done` shows, as
    docs/`name`."""
    with app_server() as (url, _log, _pid), chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": height})
        page.goto(f"{url}/{path}")
        page.get_by_role("button", name=train).click()
        page.get_by_text(done).first.wait_for(timeout=600_000)
        time.sleep(4.0)  # the charts' fragments redraw once more at the final step
        page.screenshot(path=HERE / name)
        print(f"docs/{name}", file=sys.stderr)


def main(keys: list[str]) -> None:
    if keys == ["sweep"]:
        sweep()
        return
    if keys == ["book"]:
        deciding("book", "Train", "The claim, decided at step 1,250", "book.png", 3000)
        return
    if keys == ["zh"]:
        deciding("?lang=zh&pace=full", "训练", "在第 1,000 步判定的论断", "lab-zh.png", SIZE["height"])
        return
    with app_server() as (url, _log, _pid), chromium() as browser:
        for key in keys or list(PRESETS):
            page = browser.new_page(viewport=SIZE)
            page.goto(f"{url}/?preset={key}&pace=full")
            page.get_by_role("button", name="Train").click()
            wait_until(lambda p=page, k=key: status(p) == ("Paused", PRESETS[k].steps), seconds=300)
            time.sleep(4.0)  # the charts' fragments redraw once more at the final step
            page.screenshot(path=HERE / f"preset-{key}.png")
            print(f"docs/preset-{key}.png: step {status(page)[1]:,}", file=sys.stderr)
            page.close()


if __name__ == "__main__":
    main(sys.argv[1:])
