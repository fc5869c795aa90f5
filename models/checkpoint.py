"""A trainer's whole state as bytes, and back: a run can give up its process and resume exactly where it was.

Weights, optimizer state (Adam's moments), every seed's batch generator, the step, verdicts and bookkeeping: a restored
trainer computes the very numbers the uninterrupted one would (tests/test_checkpoint.py).
"""

from __future__ import annotations

import io
from dataclasses import asdict

import torch

from models.config import RunConfig
from models.records import ProbeRecord, Verdict
from models.trainer import Trainer


def save(trainer: Trainer) -> bytes:
    state = {
        "config": trainer.config.to_dict(),
        "step_count": trainer.step_count,
        "generators": [generator.get_state() for generator in trainer.generators],
        "stacks": [
            {"model": stack.model.state_dict(), "optimizer": stack.optimizer.state_dict()} for stack in trainer.stacks
        ],
        "runs": [
            {
                "verdicts": [asdict(verdict) for verdict in run.verdicts],
                "last_probes": [None if probe is None else probe.to_dict() for probe in run.last_probes],
                "seconds": run.seconds,
                "steps": run.steps,
            }
            for run in trainer.runs
        ],
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def restore(data: bytes) -> Trainer:
    """A trainer in the saved state (built afresh from the saved config, then overwritten)."""
    state = torch.load(io.BytesIO(data), weights_only=True)
    values = dict(state["config"])
    values["contenders"] = tuple(values["contenders"])
    trainer = Trainer(RunConfig(**values))
    trainer.step_count = state["step_count"]
    for generator, saved in zip(trainer.generators, state["generators"], strict=True):
        generator.set_state(saved)
    for stack, saved in zip(trainer.stacks, state["stacks"], strict=True):
        stack.model.load_state_dict(saved["model"])
        stack.optimizer.load_state_dict(saved["optimizer"])
    for run, saved in zip(trainer.runs, state["runs"], strict=True):
        run.verdicts = [Verdict(**verdict) for verdict in saved["verdicts"]]
        run.last_probes = [None if probe is None else ProbeRecord(**probe) for probe in saved["last_probes"]]
        run.seconds, run.steps = saved["seconds"], saved["steps"]
    return trainer
