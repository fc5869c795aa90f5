"""The breaking-point sweep: every contender trained to a fixed budget at each gap, K seeds per gap.

One unit of work is one gap: a Trainer with `seeds` K trains every contender's K seeds at once. A seed's
numbers equal its lone run's (tests/test_stack.py), so results are kept per seed, keyed by the configuration,
the seed, the budget and the engine's version (a hash of its source), and a repeated sweep is served without
training. Units run on any `concurrent.futures` executor whose workers are processes: a local process pool, or a
Dask cluster's (building a model seeds torch's global generator, so two units must never share a process at once).
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from models.config import RunConfig

ENGINE = Path(__file__).parent


@dataclass(frozen=True)
class SweepResult:
    """One contender and seed at one gap, after the budget: the row of the sweep's CSV."""

    task: str
    gap: int
    contender: str
    seed: int
    steps: int  # the budget every contender was trained to
    solved_step: int | None  # the first validation at which it was solved (even if lost later); None: never
    val_loss: float | None  # at the last validation
    verdict: str  # the verdict's status at the end

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def train_gap(config: RunConfig, steps: int) -> list[SweepResult]:
    """Train one gap's contenders and seeds to `steps` (in a worker: one thread, the pool owns the cores)."""
    import torch

    from models.records import ProbeRecord
    from models.trainer import Trainer

    torch.set_num_threads(1)
    records = Trainer(config).advance(steps)
    return results_at(config, steps, [record.to_dict() for record in records if isinstance(record, ProbeRecord)])


def results_at(config: RunConfig, steps: int, probes: list[dict]) -> list[SweepResult]:
    """Each contender's and seed's result after `steps`, from its probe records (plain dicts, in step order):
    the latest probe up to `steps` carries the verdict, when it was first solved, and the validation loss.
    The dashboard's sweep reads a live run's probes through this too, so both agree with the cache."""
    latest: dict[tuple[str, int], dict] = {}
    for probe in probes:
        if probe["step"] <= steps:
            latest[(probe["contender"], probe["seed"])] = probe
    results = []
    for key in config.contenders:
        for seed in range(config.seed, config.seed + config.seeds):
            probe = latest.get((key, seed))
            status = probe["verdict"] if probe else "not_started"
            solved = None
            if status in ("solved", "lost"):
                solved = probe["verdict_solved_step"] or probe["verdict_step"]
            loss = probe["val_loss"] if probe else None
            results.append(SweepResult(config.task, config.gap, key, seed, steps, solved, loss, status))
    return results


def engine_version() -> str:
    """A hash of the engine's source: any change to how numbers are made invalidates kept results."""
    digest = hashlib.sha256()
    for path in sorted(ENGINE.rglob("*.py")):
        digest.update(path.relative_to(ENGINE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class ResultCache:
    """Sweep results kept as one JSON file per (configuration, seed, budget, engine version)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.version = engine_version()

    def _path(self, config: RunConfig, seed: int, steps: int) -> Path:
        identity = {**config.with_changes(seed=seed, seeds=1).to_dict(), "steps": steps, "engine": self.version}
        key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:24]
        return self.directory / f"{key}.json"

    def get(self, config: RunConfig, seed: int, steps: int) -> list[SweepResult] | None:
        try:
            rows = json.loads(self._path(config, seed, steps).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return [SweepResult(**row) for row in rows]

    def put(self, config: RunConfig, seed: int, steps: int, results: list[SweepResult]) -> None:
        path = self._path(config, seed, steps)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps([result.to_dict() for result in results]), encoding="utf-8")
        temporary.replace(path)  # readers never see half a file


def default_cache() -> ResultCache:
    base = os.environ.get("RNN_LAB_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "rnn-remedies-lab")
    return ResultCache(Path(base) / "sweep")


def sweep(
    base: RunConfig,
    gaps: list[int],
    steps: int,
    executor: Executor,
    cache: ResultCache | None = None,
    on_result: Callable[[int, list[SweepResult], bool], None] | None = None,
) -> Iterator[SweepResult]:
    """Every contender and seed of `base` (seeds `base.seed` … + base.seeds − 1) at every gap, as results arrive.

    Kept results are yielded first, without training; the rest are trained as one unit per gap. `on_result`
    hears (gap, results, from_cache) for progress.
    """
    seeds = [base.seed + index for index in range(base.seeds)]
    pending = {}
    for gap in gaps:
        config = base.with_changes(gap=gap)
        kept = [cache.get(config, seed, steps) for seed in seeds] if cache else [None] * len(seeds)
        if all(rows is not None for rows in kept):
            results = [row for rows in kept for row in rows]
            if on_result:
                on_result(gap, results, True)
            yield from sorted(results, key=_order(base))
            continue
        pending[executor.submit(train_gap, config, steps)] = config
    for future in as_completed(pending):
        config, results = pending[future], future.result()
        if cache:
            for seed in seeds:
                cache.put(config, seed, steps, [row for row in results if row.seed == seed])
        if on_result:
            on_result(config.gap, results, False)
        yield from sorted(results, key=_order(base))


def _order(base: RunConfig) -> Callable[[SweepResult], tuple[int, int]]:
    return lambda row: (base.contenders.index(row.contender), row.seed)


def table(results: list[SweepResult], contenders: tuple[str, ...], gaps: list[int]) -> str:
    """Steps to solve per contender × gap: the median over the seeds that solved it, and how many did."""
    width = max(12, *(len(key) + 1 for key in contenders))
    lines = [f"{'steps to solve':<{width}}" + "".join(f"{'gap ' + str(gap):>16}" for gap in gaps)]
    for key in contenders:
        cells = []
        for gap in gaps:
            rows = [row for row in results if row.contender == key and row.gap == gap]
            solved = [row.solved_step for row in rows if row.solved_step is not None]
            median = f"{statistics.median(solved):,.0f}" if solved else "not solved"
            cells.append(f"{median} ({len(solved)}/{len(rows)})" if solved else f"— (0/{len(rows)})")
        lines.append(f"{key:<{width}}" + "".join(f"{cell:>16}" for cell in cells))
    return "\n".join(lines)
