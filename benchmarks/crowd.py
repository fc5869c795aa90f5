"""The load test's protocol mode: a crowd of simulated browsers (benchmarks.protocol) on one real server.

python -m benchmarks.load --protocol --sessions 8                 # 8 identical sessions, against lone ones (4 rounds)
python -m benchmarks.load --protocol --sessions 8 --alternate 2.5  # ... against the same run with one page redrawing
python -m benchmarks.load --protocol --sessions 40 --mixed        # a workshop: 40 sessions over every preset
python -m benchmarks.load --protocol --sessions 40 --mixed --own 10   # ... and 10 with settings of their own

Every session presses Train at once. Per session it reports what its page received while its run trained:
status updates per second and the longest wait for one, the longest wait for a chart update, fragment reruns
answered per second and how long each waited, the bytes it was sent per second, its step rate (against a lone
session, for identical sessions), and the seconds from Train to the preset's deciding step. For the server:
health-check latency, peak memory (PSS and RSS of the server and every training process), CPU used, tracebacks
in its log.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import math
import os
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchmarks.app_server import app_server
from benchmarks.dashboard import MemoryPeak
from benchmarks.load import HealthPoller, renice_browser
from benchmarks.protocol import Session
from dashboard.presets import DEFAULT_PRESET, PRESETS, deciding_step

SETTLE = 10.0  # seconds after Train before a session's liveness is measured: all sessions click at once, and the
# burst of page runs that follows is reported apart (the longest any page then waited for its first status)
LIMIT = 120.0  # seconds the crowd runs at most, waiting for every run to reach its deciding step


def cpu_seconds(pid: int, descendants: bool = True) -> float:
    """User + system CPU seconds of a process and (unless told not to) its descendants: the live ones, and those
    that have exited and been reaped (a training process released by the cap took its seconds with it)."""
    total, pending = 0.0, [pid]
    ticks = 100.0
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        reaped = fields[13:15] if descendants else []  # cutime cstime: children that have exited, waited for
        total += sum(int(value) for value in [*fields[11:13], *reaped]) / ticks  # utime stime
        if descendants:
            pending += [int(child) for child in children]
    return total


def training_seconds(pid: int) -> float:
    """CPU seconds of the server's descendants (the training processes, the forkserver), not of the server itself."""
    return cpu_seconds(pid) - cpu_seconds(pid, False)


async def crowd(
    url: str,
    queries: list[tuple[str, str]],
    seconds: float,
    deciding: dict[str, int],
    during: Callable[[list[Session]], Awaitable[None]] | None = None,
) -> list[Session]:
    """Open every session, press Train in all, and keep them open until each run decided (or `seconds`); `during`
    runs from Train until then."""
    stop = asyncio.Event()
    sessions = [Session(url, query, label) for label, query in queries]
    tasks = [asyncio.create_task(session.run(stop)) for session in sessions]
    await asyncio.wait_for(asyncio.gather(*(session._loaded.wait() for session in sessions)), timeout=180)
    await asyncio.gather(*(session.click("Train") for session in sessions))
    started = time.monotonic()
    meanwhile = asyncio.create_task(during(sessions)) if during else None
    while time.monotonic() - started < seconds:
        await asyncio.sleep(0.5)
        decided = all(s.reached(deciding[s.label]) is not None for s in sessions if s.label in deciding)
        if decided and time.monotonic() - started >= min(seconds, 20.0):
            break
    if meanwhile:
        meanwhile.cancel()
    stop.set()
    await asyncio.gather(*tasks)
    return sessions


async def alternate(sessions: list[Session], period: float, pid: int, phases: list[tuple]) -> None:
    """Every `period` seconds, all sessions but the first fall quiet (their timers ask for no reruns) or wake up:
    the first one's run trains beside a crowd's redraws and beside a lone page's, in turn, a few seconds apart, so
    that the machine's drift (±20% from one minute to the next on these cores) cancels. Appends each phase to
    `phases` as (start, end, crowded, the server's CPU seconds in it, the simulated browsers')."""
    crowded = True
    while True:
        start, server, client = time.monotonic(), cpu_seconds(pid, False), _own_cpu()
        await asyncio.sleep(period)
        phases.append((start, time.monotonic(), crowded, cpu_seconds(pid, False) - server, _own_cpu() - client))
        crowded = not crowded
        for session in sessions[1:]:
            session.quiet = not crowded


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_ratios(session: Session, phases: list[tuple], settle: float = 0.5) -> list[tuple[float, ...]]:
    """The step rate the session's page showed in each crowded phase against the quiet phase beside it, for every
    two neighbouring phases (half of the pairs quiet first, so a steady drift cancels): (that ratio, the cores the
    server used in the crowded phase and in the quiet one, the simulated browsers' in each). A phase counts from
    `settle` s after it began (the redraws asked for before are still answered) and only while the run trained,
    from 3 s after Train (the burst of every page's Train)."""
    measured = []
    for start, end, crowded, server, client in phases:
        shown = [(at, step) for at, step, training in session.statuses if start + settle <= at <= end and training]
        usable = start >= session.trained_at + 3.0 and len(shown) >= 3 and shown[-1][0] > shown[0][0]
        rate = statistics.linear_regression(*zip(*shown, strict=True)).slope if usable else None
        measured.append((crowded, rate, server / (end - start), client / (end - start)))
    pairs = []
    for first, second in itertools.pairwise(measured):
        crowded, quiet = (first, second) if first[0] else (second, first)
        if crowded[1] and quiet[1]:
            pairs.append((crowded[1] / quiet[1], crowded[2], quiet[2], crowded[3], quiet[3]))
    return pairs


def _lone(url: str, round_: int, seconds: float, deciding: dict[str, int], pid: int, training: list) -> float:
    """One lone session on a seed of its own (any seed decides where the preset does): its median step rate; the
    training process's use (`_training_use`) starts a new entry in `training`."""
    lone = [("lone", f"preset={DEFAULT_PRESET}&seed={2 * round_ + 1}")]
    trained_before = training_seconds(pid)
    with MemoryPeak(pid):  # sampled as the crowd's is: whatever the sampling costs, both pay it
        lone_sessions = asyncio.run(crowd(url, lone, seconds, deciding))
    training.append([_training_use(training_seconds(pid) - trained_before, lone_sessions, deciding)])
    return _median_rate(lone_sessions)


def _training_use(cpu: float, sessions: list[Session], deciding: dict[str, int]) -> tuple[float, float]:
    """The training processes' share of a core from Train to the first page showing the deciding step, and the CPU
    seconds they took for it (nan when no page showed it)."""
    reached = [s.reached(deciding[s.label]) for s in sessions if s.label in deciding]
    window = min((seconds for seconds in reached if seconds), default=None)
    return (cpu / window, cpu) if window else (float("nan"), float("nan"))


def _median_rate(sessions: list[Session]) -> float:
    """The median step rate of `sessions` while they trained (nan when none was measured)."""
    rates = [live["steps_per_second"] for live in (liveness(s, time.monotonic()) for s in sessions) if live]
    return statistics.median(rates) if rates else float("nan")


def liveness(session: Session, end: float) -> dict | None:
    """What one session's page received while its run trained (from SETTLE s after Train to `end`)."""
    start = session.trained_at + SETTLE
    training = [at for at, _, running in session.statuses if running and start <= at <= end]
    if not training:
        return None  # its run stopped (at its deciding step) before the window opened
    end = max(training)  # the run stopped (its deciding step): nothing more to show after that
    seconds = max(end - start, 1e-9)
    statuses = [(at, step) for at, step, _ in session.statuses if start <= at <= end]
    answered = [at for at in session.answered if start <= at <= end]
    rate = 0.0
    if len(statuses) >= 2 and statuses[-1][0] > statuses[0][0]:
        rate = statistics.linear_regression(*zip(*statuses, strict=True)).slope
    return {
        "seconds": seconds,
        "status_per_second": len(statuses) / seconds,
        "status_gap": session.largest_gap([at for at, _ in statuses], start, end),
        "chart_gap": session.largest_gap(session.charts, start, end),
        "chart_gap_whole": session.largest_gap(session.charts, start, end, whole=True),
        "answered_per_second": len(answered) / seconds,
        "bytes_per_second": sum(size for at, size in session.received if start <= at <= end) / seconds,
        "steps_per_second": rate,
    }


async def open_page(url: str, query: str) -> None:
    """One page opened until it has drawn, then closed (the instructor's, before the workshop)."""
    stop = asyncio.Event()
    session = Session(url, query, "instructor")
    task = asyncio.create_task(session.run(stop))
    await asyncio.wait_for(session._loaded.wait(), timeout=120)
    stop.set()
    await task


def measure(
    sessions: int,
    mixed: bool,
    own: int,
    seconds: float,
    only: list[str] | None = None,
    rounds: int = 3,
    instructor: float = 0.0,
    period: float = 0.0,
) -> dict:
    """Run the crowd; `mixed` spreads it over every preset, or over `only` (preset keys) when given.

    `instructor` > 0: one page is opened first and the crowd comes that many seconds after it drew, as in a
    workshop whose instructor opened the app before the participants. (At 0 the crowd comes to a server that has
    served nothing yet: its first page starts the training processes' forkserver, which imports torch.)

    Identical sessions are measured in `rounds`: a lone session and the crowd, each on a seed of its own (any
    seed decides where the preset does), the lone one first in even rounds and last in odd ones, so that a drift
    of the machine's speed across a pair of rounds cancels out; each round gives the crowd's median step rate
    against its lone one. (One lone run against one crowd decided nothing: the same run alone varies by ±15% on
    these cores.) The last round's crowd is the one reported in full. With a `period`, each round is instead one
    crowd whose other sessions fall quiet and wake every `period` seconds (`alternate`), with no lone run.
    """
    presets = (only or list(PRESETS)) if mixed else [DEFAULT_PRESET]
    mode = "&mode=workshop" if mixed else ""
    queries = [(presets[i % len(presets)], f"preset={presets[i % len(presets)]}{mode}") for i in range(sessions)]
    queries += [(f"own {i}", f"preset={DEFAULT_PRESET}&seed={100 + i}") for i in range(own)]
    deciding = {key: deciding_step(PRESETS[key].config) for key in presets}
    deciding["lone"] = deciding_step(PRESETS[DEFAULT_PRESET].config)
    lone_rates, ratios, training, alternated = [], [], [], []
    with app_server() as (url, log, pid), HealthPoller(url) as health:
        renice_browser()  # the simulated browsers stand for other machines: the server comes first
        if instructor > 0:
            asyncio.run(open_page(url, queries[0][1]))
            time.sleep(instructor)
        for round_ in range(1 if mixed else rounds):
            lone_first = round_ % 2 == 0  # lone then crowd, crowd then lone, …: a drift within a pair cancels out
            if not mixed:
                seed = f"preset={DEFAULT_PRESET}&seed={2 * round_ + 2}"
                queries = [(label, seed if label == DEFAULT_PRESET else query) for label, query in queries]
                if lone_first and not period:
                    lone_rates.append(_lone(url, round_, seconds, deciding, pid, training))
            before, server_before, clock = cpu_seconds(pid), cpu_seconds(pid, False), time.monotonic()
            client_before = resource.getrusage(resource.RUSAGE_SELF)
            phases: list[tuple] = []
            during = functools.partial(alternate, period=period, pid=pid, phases=phases)
            during = during if period and not mixed else None
            with MemoryPeak(pid) as peak:
                crowd_sessions = asyncio.run(crowd(url, queries, seconds, deciding, during))
            elapsed = time.monotonic() - clock
            client = resource.getrusage(resource.RUSAGE_SELF)
            client_cpu = client.ru_utime + client.ru_stime - client_before.ru_utime - client_before.ru_stime
            cpu = (
                (cpu_seconds(pid) - before) / elapsed,
                (cpu_seconds(pid, False) - server_before) / elapsed,
                client_cpu / elapsed,
            )
            if during:
                alternated.append(phase_ratios(crowd_sessions[0], phases))
            elif not mixed:
                trained = training_seconds(pid) - (before - server_before)
                crowded = _training_use(trained, crowd_sessions, deciding)
                if not lone_first:
                    lone_rates.append(_lone(url, round_, seconds, deciding, pid, training))
                training[-1].append(crowded)
                ratios.append(_median_rate(crowd_sessions) / lone_rates[-1])
        server_log = log.read_text()
    end = time.monotonic()
    return {
        "sessions": sessions,
        "mixed": mixed,
        "presets": presets,
        "own": own,
        "instructor": instructor,
        "lone": lone_rates[-1] if lone_rates else None,
        "lone_rates": lone_rates,  # per round: the lone session's step rate
        "ratios": ratios,  # per round: the crowd's median step rate / the lone session's
        "training": training,  # per round: (lone, crowd) as (share of a core, CPU seconds) of the training process
        "alternated": alternated,  # per round, per pair of phases: step rate crowded / quiet, then server and
        # browser cores in each (see phase_ratios)
        "period": period,
        "results": [(s.label, liveness(s, end), s.reached(deciding.get(s.label, 10**9)), s) for s in crowd_sessions],
        "waits": sorted(wait for s in crowd_sessions for wait in s.waits),
        "health": sorted(health.latencies),
        "memory": peak.result(),
        "cpu": cpu,
        "elapsed": elapsed,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
        "errors": [error for s in crowd_sessions for error in s.errors],
        "tracebacks": server_log.count("Traceback"),
        "first_traceback": server_log[server_log.find("Traceback") :][:3000] if "Traceback" in server_log else "",
    }


def interval(ratios: list[float]) -> str:
    """The geometric mean of independent ratios and about where 95 % of such means fall: that mean × and ÷
    exp(2 standard errors of the mean log ratio). On these cores a single round reads anywhere from 0.7× to
    1.3×; a goal of 0.95× is shown only when the whole range clears it."""
    mean = statistics.geometric_mean(ratios)
    if len(ratios) < 2:
        return f"geometric mean {mean:.3f}× (one value: no range)"
    error = statistics.stdev(math.log(ratio) for ratio in ratios) / math.sqrt(len(ratios))
    low, high = mean * math.exp(-2 * error), mean * math.exp(2 * error)
    return f"geometric mean {mean:.3f}×, 95 % range about {low:.3f}–{high:.3f}×"


def _quantile(values: list[float], q: float) -> float:
    return values[int(q * (len(values) - 1))] if values else float("nan")


def report(result: dict) -> None:
    count = len(result["presets"])
    kind = f"over {count} presets (workshop mode)" if result["mixed"] else f"identical ({DEFAULT_PRESET})"
    extra = f", and {result['own']} with settings of their own" if result["own"] else ""
    print(f"{result['sessions']} simulated sessions {kind}{extra}")
    if result.get("instructor"):
        print(f"  one page opened first: the crowd came {result['instructor']:g} s after it drew")
    if result["ratios"]:
        order = ("lone first", "crowd first")
        ratios = ", ".join(f"{ratio:.2f}× {order[i % 2]}" for i, ratio in enumerate(result["ratios"]))
        print(
            f"  step rate against a lone session, {len(result['ratios'])} rounds of a lone run and the crowd in turn: "
            f"median {statistics.median(result['ratios']):.2f}×, {interval(result['ratios'])} ({ratios}); the "
            "table is the last round's"
        )
        lone = ", ".join(f"{rate:.1f}" for rate in result["lone_rates"])
        print(f"  the lone sessions' step rates, round by round (the machine's own drift): {lone} steps/s")
        shares = ", ".join(f"{alone[0]:.2f} → {crowded[0]:.2f}" for alone, crowded in result["training"])
        seconds = ", ".join(f"{alone[1]:.1f} → {crowded[1]:.1f}" for alone, crowded in result["training"])
        print(
            f"  the training process, alone → in the crowd, round by round: a share of a core of {shares} (Train to "
            f"the deciding step's first status); CPU seconds to the deciding step {seconds} (the same work: a "
            "change is the machine's speed or the neighbours' caches, not the share)"
        )
        share = [crowded[0] / alone[0] for alone, crowded in result["training"]]
        work = [crowded[1] / alone[1] for alone, crowded in result["training"]]
        print(
            f"  so the step rate's ratio = the share's ratio / the CPU seconds' ratio: the share, crowd / lone, median "
            f"{statistics.median(share):.2f}× ({', '.join(f'{r:.2f}' for r in share)}), what the crowd takes from the "
            f"run; the CPU seconds, crowd / lone, median {statistics.median(work):.2f}× "
            f"({', '.join(f'{r:.2f}' for r in work)})"
        )
    if result.get("alternated"):
        print("  " + alternation(result["alternated"], result["period"], result["sessions"]))
    groups: dict[str, list] = {}
    for label, live, decided, _ in result["results"]:
        groups.setdefault(label.split()[0], []).append((live, decided))
    print(
        "  | sessions | n | status/s (min) | longest wait for a status | longest wait for charts | "
        "fragment reruns answered/s | steps/s (× lone) | Train → deciding step |"
    )
    for label, members in groups.items():
        lives = [live for live, _ in members if live is not None]
        if not lives:
            print(f"  | {label} | {len(members)} | decided before the window opened | | | | | {members[0][1]} |")
            continue
        decided = [d for _, d in members]
        rates = [live["steps_per_second"] for live in lives]
        ratio = f" ({statistics.median(rates) / result['lone']:.2f}×)" if result["lone"] else ""
        reached = "–" if label == "own" else ("never" if None in decided else f"{max(decided):.1f} s")
        print(
            f"  | {label} | {len(members)} | {min(live['status_per_second'] for live in lives):.2f} | "
            f"{max(live['status_gap'] for live in lives):.1f} s | {max(live['chart_gap'] for live in lives):.1f} s | "
            f"{statistics.median(live['answered_per_second'] for live in lives):.2f} | "
            f"{statistics.median(rates):.1f}{ratio} | {reached} |"
        )
    if "own" in groups:
        stalled = sum(1 for live, _ in groups["own"] if live is None or live["steps_per_second"] <= 0)
        print(f"  sessions with settings of their own that made no progress: {stalled} of {len(groups['own'])}")
    lives = [live for _, live, _, _ in result["results"] if live is not None]
    if lives:
        print(
            f"  longest wait for charts, counting all of each status interval in which a run resumed or stopped: "
            f"{max(live['chart_gap_whole'] for live in lives):.1f} s (the table counts only the part it moved in)"
        )
    sent = sorted(live["bytes_per_second"] for _, live, _, _ in result["results"] if live is not None)
    if sent:
        print(
            f"  sent to each page while its run trained: median {statistics.median(sent) / 1000:.0f} kB/s, most "
            f"{sent[-1] / 1000:.0f} kB/s (every message in full: a browser's message cache may spare a few)"
        )
    waits = result["waits"]
    print(
        f"  fragment reruns: waited median {statistics.median(waits) * 1000:.0f} ms, p95 "
        f"{_quantile(waits, 0.95) * 1000:.0f} ms ({len(waits)} answered)"
        if waits
        else "  fragment reruns: none answered"
    )
    latencies = result["health"]
    print(
        f"  health: median {statistics.median(latencies) * 1000:.0f} ms, p95 {_quantile(latencies, 0.95) * 1000:.0f} "
        f"ms, max {latencies[-1] * 1000:.0f} ms ({len(latencies)} polls)"
    )
    memory = result["memory"]
    runs = sum(1 for name in memory["parts"] if name.startswith("run"))
    print(f"  server memory, peak PSS: {memory['total']:.0f} MB (server and forkserver, {runs} training processes)")
    total, server, client = result["cpu"]
    print(
        f"  CPU: {total:.2f} cores used by the server and its training processes, {server:.2f} of them by the "
        f"server; the simulated browsers took {client:.2f}"
    )
    first = [s.reached(1) for *_, s in result["results"]]
    decided = [d for label, _, d, _ in result["results"] if not label.startswith("own")]
    if result["mixed"] and decided and None not in decided and any(first):
        print("  " + work_bound(total, server, client, result, statistics.median(x for x in first if x), max(decided)))
    print(
        f"  the burst after every session pressed Train at once: first status showing a step after at most "
        f"{max(x for x in first if x is not None):.1f} s (median {statistics.median(x for x in first if x):.1f} s)"
        if any(first)
        else "  no session saw a step"
    )
    full = sorted(session.full_runs for *_, session in result["results"])
    print(f"  whole-page runs per session: median {statistics.median(full)}, most {full[-1]}")
    runs = sum(session.runs for *_, session in result["results"])
    unfinished = sum(session.unfinished for *_, session in result["results"])
    print(f"  script runs whose end never reached the page (the next began first): {unfinished} of {runs}")
    print(f"  errors: {len(result['errors'])} on pages, {result['tracebacks']} tracebacks in the server log")
    for error in result["errors"][:5]:
        print(f"    {error}")
    if result["first_traceback"]:
        print("  the server log's first traceback:\n" + result["first_traceback"])


def work_bound(total: float, server: float, client: float, result: dict, first: float, last: float) -> str:
    """About when the last run could have decided: the median first step, then every run's training (CPU seconds,
    as measured) packed without a gap onto the cores the server and the simulated browsers left (on average over
    the crowd). Whether a deadline (every preset decided within 60 s) can hold on this machine today, whatever the
    scheduling; an estimate, not a bound (a run may start before the median, the server's share varies). And what
    the same work would allow with the browsers elsewhere, as a workshop's are: the simulated ones take a share of
    these cores that a deployment's training would have."""
    work = (total - server) * result["elapsed"]  # the training processes' (and the forkserver's) CPU seconds
    left = result["cores"] - server - client
    bound = first + work / left
    return (
        f"training took {work:.0f} CPU seconds in all; on the {left:.2f} of {result['cores']} cores the server and "
        f"the browsers left, the last run could decide about {bound:.1f} s after Train (the median first step, "
        f"{first:.1f} s, then that work without a gap); it decided at {last:.1f} s. With the browsers on machines of "
        f"their own, as in a workshop, the {result['cores'] - server:.2f} cores the server left would allow about "
        f"{first + work / (result['cores'] - server):.1f} s"
    )


def alternation(rounds: list[list[tuple[float, ...]]], period: float, sessions: int) -> str:
    """The alternating rounds in a sentence: the step rate beside the crowd's redraws against beside one page's."""
    ratios = [pair[0] for pairs in rounds for pair in pairs]
    if not ratios:
        return "alternating phases: no two neighbouring phases were measured (the runs decided too soon)"
    medians = ", ".join(f"{statistics.median(p[0] for p in pairs):.2f}×" if pairs else "–" for pairs in rounds)
    pooled = [pair for pairs in rounds for pair in pairs]
    per_round = [statistics.geometric_mean(pair[0] for pair in pairs) for pairs in rounds if pairs]
    server, quiet, client, alone = (statistics.median(pair[i] for pair in pooled) for i in range(1, 5))
    return (
        f"step rate with all {sessions} pages redrawing against the same run with only the first one redrawing "
        f"({period:g} s phases in turn, {len(ratios)} neighbouring pairs in {len(rounds)} rounds): median "
        f"{statistics.median(ratios):.3f}×, geometric mean {statistics.geometric_mean(ratios):.3f}×, middle half "
        f"{_quantile(sorted(ratios), 0.25):.2f}–{_quantile(sorted(ratios), 0.75):.2f}× (per round: {medians}; "
        f"rounds as the unit, neighbouring pairs share a phase: {interval(per_round)}); "
        f"the server used {server:.2f} of a core with every page redrawing, {quiet:.2f} with one (the simulated "
        f"browsers {client:.2f} and {alone:.2f}); the table below counts the quiet phases too\n"
        f"  every pair's ratio: {' '.join(f'{ratio:.3f}' for ratio in ratios)}"
    )
