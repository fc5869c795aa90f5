"""The RNN Remedies Lab engine: long-gap tasks, four contenders and a side-by-side trainer.

Imports torch and the standard library only; the dashboard reads its plain records.
"""

from models.config import LIMITS, ConfigError, RunConfig
from models.records import ProbeRecord, StepRecord, Verdict
from models.trainer import Trainer

__all__ = ["LIMITS", "ConfigError", "ProbeRecord", "RunConfig", "StepRecord", "Trainer", "Verdict"]
