"""The copying memory task: read ten symbols, wait, then write them back after a delimiter."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from models.tasks.base import Baseline, TokenTask

SYMBOLS = 8  # alphabet size (Arjovsky et al. 2016)
SHOWN = 10  # symbols to remember
BLANK = SYMBOLS  # token id of the blank
DELIMITER = SYMBOLS + 1  # token id of "now write them back"


class CopyTask(TokenTask):
    """Copying memory (Arjovsky et al. 2016). With gap 4 and symbols 1–8 written as digits:

        input   3 1 4 1 5 2 6 5 3 5 _ _ _ : _ _ _ _ _ _ _ _ _ _
        target  _ _ _ _ _ _ _ _ _ _ _ _ _ _ 3 1 4 1 5 2 6 5 3 5

    A model that remembers nothing writes blanks, then guesses: the memoryless baseline.
    """

    key = "copy"
    name = "Copy"
    variant = "copying memory: 10 symbols from 8, gap−1 blanks, a delimiter, 10 blanks (Arjovsky et al. 2016)"
    input_size = SYMBOLS + 2  # symbols, blank, delimiter
    output_size = SYMBOLS + 1  # symbols, blank
    readout = "all"

    @property
    def length(self) -> int:
        return self.gap + 2 * SHOWN

    def inputs(self, generator: torch.Generator, batch_size: int) -> torch.Tensor:
        symbols = torch.randint(0, SYMBOLS, (batch_size, SHOWN), generator=generator)
        tokens = torch.full((batch_size, self.length), BLANK)
        tokens[:, :SHOWN] = symbols
        tokens[:, SHOWN + self.gap - 1] = DELIMITER
        return self.one_hot(tokens)  # (batch, time, 10)

    def label(self, inputs: torch.Tensor) -> torch.Tensor:
        tokens = self.tokens(inputs)
        targets = torch.full_like(tokens, BLANK)  # (batch, time)
        targets[:, -SHOWN:] = tokens[:, :SHOWN]
        return targets

    @property
    def baseline(self) -> Baseline:
        return Baseline(
            loss=SHOWN * math.log(SYMBOLS) / self.length,
            accuracy=1 / SYMBOLS,
            explanation="write blanks, then guess: loss 10·ln 8 / (gap + 20), accuracy 1/8",
        )

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        # cross_entropy wants classes in dim 1: (batch, classes, time)
        return F.cross_entropy(outputs.transpose(1, 2), targets)

    def accuracy(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        recalled = outputs[:, -SHOWN:].argmax(-1)  # (batch, 10)
        return (recalled == targets[:, -SHOWN:]).float().mean()

    sentence = (
        "Symbols {shown}, then {blanks} blanks and a delimiter ':'. "
        "After the delimiter the answer is the same ten symbols: {shown}."
    )

    def describe_facts(self, inputs: torch.Tensor) -> dict[str, object]:
        tokens = self.tokens(inputs).tolist()
        return {"shown": " ".join(str(t + 1) for t in tokens[:SHOWN]), "blanks": self.gap - 1}
