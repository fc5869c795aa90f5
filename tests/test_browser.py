"""The real app: a `streamlit run` server driven by Debian's Chromium through Playwright (nothing downloaded)."""

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATUS = re.compile(r"^(Training|Paused) · Step ([\d,]+)")
CONTENDERS = {"rnn", "clipped_rnn", "lstm", "gru"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "streamlit did not start"
            time.sleep(0.3)
    yield url
    process.terminate()
    _, errors = process.communicate(timeout=20)
    assert "Traceback" not in errors, errors


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (tests/run.sh does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    yield context.new_page()
    context.close()


def status(page) -> tuple[str, int]:
    text = page.locator("[data-testid='stMarkdown']").filter(has_text=STATUS).first.inner_text()
    state, step = STATUS.match(text).groups()
    return state, int(step.replace(",", ""))


def wait_until(condition, seconds=60.0, every=0.1):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


def number(container, label: str):
    return container.get_by_role("spinbutton", name=label, exact=True)


def contenders_drawn(chart) -> set[str]:
    labels = chart.locator("[aria-roledescription='line mark']").evaluate_all(
        "marks => marks.map(m => m.getAttribute('aria-label') || '')"
    )
    return {match for label in labels for match in re.findall(r"contender: (\w+)", label)}


def test_train_fills_the_three_charts_with_all_four_contenders(server, page):
    page.goto(f"{server}/?gap=10")
    page.get_by_role("button", name="Train").click()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    wait_until(lambda: charts.count() >= 3)
    for index, name in enumerate(("loss", "gradient norm", "accuracy")):
        drawn = wait_until(
            lambda i=index: contenders_drawn(charts.nth(i)) >= CONTENDERS and contenders_drawn(charts.nth(i))
        )
        assert drawn == CONTENDERS, name
    first = status(page)[1]
    wait_until(lambda: status(page)[1] > first)  # the counter moves while training
    page.get_by_role("button", name="Pause").click()


def test_pause_stops_the_step_counter(server, page):
    page.goto(server)
    page.get_by_role("button", name="Train").click()
    wait_until(lambda: status(page)[0] == "Training" and status(page)[1] >= 5)
    page.get_by_role("button", name="Pause").click()
    wait_until(lambda: status(page)[0] == "Paused", seconds=5)
    paused_at = status(page)[1]
    time.sleep(1.5)
    assert status(page) == ("Paused", paused_at)
    page.get_by_role("button", name="Train").click()  # resuming continues from where it stopped
    wait_until(lambda: status(page)[1] > paused_at)
    page.get_by_role("button", name="Pause").click()


def test_a_shared_url_restores_its_configuration(server, page):
    page.goto(f"{server}/?preset=exploding&gap=20&init_scale=2.0&optimizer=sgd&lr=0.1&seed=3")
    page.get_by_text("Exercise — Exploding gradients").wait_for()
    sidebar = page.locator("[data-testid='stSidebar']")
    assert number(sidebar, "Gap (time steps to remember across)").input_value() == "20"
    sidebar.get_by_text("Advanced").click()
    assert number(sidebar, "Recurrent init scale (ρ at step 0)").input_value() == "2"
    assert number(sidebar, "Seed").input_value() == "3"
    assert sidebar.get_by_role("combobox", name="Optimizer").input_value() == "sgd"
    assert sidebar.get_by_role("combobox", name="Preset (workshop exercise)").input_value() == "exploding"
    gap = number(sidebar, "Gap (time steps to remember across)")
    gap.fill("30")
    gap.press("Enter")
    wait_until(lambda: "gap=30" in page.url)  # the URL follows the widgets: copy it to share this run
    assert "seed=3" in page.url and "preset=exploding" in page.url


def test_a_malformed_url_shows_a_warning_and_the_default(server, page):
    page.goto(f"{server}/?gap=oops&hidden=99999")
    page.get_by_text(re.compile(r"URL parameter gap: .oops. is not a whole number")).wait_for()
    page.get_by_text(re.compile(r"URL parameter hidden: .99999. is outside 1 to 128")).wait_for()
    sidebar = page.locator("[data-testid='stSidebar']")
    assert number(sidebar, "Gap (time steps to remember across)").input_value() == "50"
