"""Records as long-format rows: one row per contender, seed and step, probe values on the steps that have them."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from models.records import ProbeRecord, StepRecord

STEP_COLUMNS = (
    "contender",
    "seed",
    "step",
    "loss",
    "accuracy",
    "grad_norm",
    "grad_norm_clipped",
    "clipped",
    "diverged",
    "seconds",
)
PROBE_COLUMNS = ("val_loss", "val_accuracy", "spectral_radius", "gate_mean", "verdict")
CSV_COLUMNS = STEP_COLUMNS + PROBE_COLUMNS


def rows(records: Iterable[StepRecord | ProbeRecord]) -> list[dict[str, object]]:
    """Merge each probe into the row of its step; columns as in CSV_COLUMNS, missing values None."""
    merged: dict[tuple[str, int, int], dict[str, object]] = {}
    for record in records:
        if not isinstance(record, StepRecord | ProbeRecord):
            continue  # sentences a model wrote are not metrics
        row = merged.setdefault((record.contender, record.seed, record.step), dict.fromkeys(CSV_COLUMNS))
        values = record.to_dict()
        columns = STEP_COLUMNS if isinstance(record, StepRecord) else PROBE_COLUMNS
        row.update({column: values[column] for column in columns})
    return list(merged.values())


def write_csv(records: Iterable[StepRecord | ProbeRecord], stream: TextIO) -> int:
    """Write the long-format CSV (empty cells for missing values); return the number of rows."""
    table = rows(records)
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return len(table)
