"""A trainer's whole state as bytes, and back: a run can give up its process and resume exactly where it was.

Weights, optimizer state (Adam's moments), the batch generator, the step, verdicts and bookkeeping: a restored
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
        "generator": trainer.generator.get_state(),
        "runs": [
            {
                "model": run.model.state_dict(),
                "optimizer": run.optimizer.state_dict(),
                "verdict": asdict(run.verdict),
                "last_probe": None if run.last_probe is None else run.last_probe.to_dict(),
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
    trainer.generator.set_state(state["generator"])
    for run, saved in zip(trainer.runs, state["runs"], strict=True):
        run.model.load_state_dict(saved["model"])
        run.optimizer.load_state_dict(saved["optimizer"])
        run.verdict = Verdict(**saved["verdict"])
        run.last_probe = None if saved["last_probe"] is None else ProbeRecord(**saved["last_probe"])
        run.seconds, run.steps = saved["seconds"], saved["steps"]
    return trainer
