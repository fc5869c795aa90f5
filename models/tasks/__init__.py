"""The long-gap task registry, keyed as in the CLI, the URL, the CSV and the legend."""

from __future__ import annotations

from models.config import ConfigError
from models.tasks.adding import AddingTask
from models.tasks.base import Baseline, Task
from models.tasks.book import BookTask
from models.tasks.copy import CopyTask
from models.tasks.recall import RecallTask
from models.tasks.temporal_order import TemporalOrderTask

TASKS: dict[str, type[Task]] = {
    task.key: task for task in (AddingTask, CopyTask, RecallTask, TemporalOrderTask, BookTask)
}


def make_task(key: str, gap: int) -> Task:
    if key not in TASKS:
        raise ConfigError(f"unknown task {key!r}; choose one of: {', '.join(TASKS)}")
    return TASKS[key](gap)


__all__ = ["TASKS", "Baseline", "Task", "make_task"]
