"""Temporal order: which of X and Y came first, early in a long sequence of distractors."""

from __future__ import annotations

import torch

from models.tasks.base import Baseline, TokenTask, positions, uniform_baseline

DISTRACTORS = ("a", "b", "c", "d")
MARKERS = ("X", "Y")
CLASSES = ("XX", "XY", "YX", "YY")
WINDOW = 5  # the first marker falls in steps 0–4, the second in steps 5–9


class TemporalOrderTask(TokenTask):
    """Temporal order (Hochreiter & Schmidhuber 1997, task 6a), without the start/end symbols:

        input   c a Y d b | b X a c d | d a b … c     (gap distractors after the two windows)
        target  YX

    The two markers sit in the first two windows of five steps; the answer is asked `gap` steps later.
    """

    key = "temporal_order"
    name = "Temporal order"
    variant = "task 6a (Hochreiter & Schmidhuber 1997): X/Y in steps 0–4 and 5–9, then gap distractors"
    input_size = len(DISTRACTORS) + len(MARKERS)
    output_size = len(CLASSES)

    @property
    def length(self) -> int:
        return 2 * WINDOW + self.gap

    def inputs(self, generator: torch.Generator, batch_size: int) -> torch.Tensor:
        tokens = torch.randint(0, len(DISTRACTORS), (batch_size, self.length), generator=generator)
        markers = torch.randint(0, len(MARKERS), (batch_size, 2), generator=generator) + len(DISTRACTORS)
        rows = torch.arange(batch_size)
        tokens[rows, positions(generator, batch_size, 0, WINDOW)] = markers[:, 0]
        tokens[rows, positions(generator, batch_size, WINDOW, 2 * WINDOW)] = markers[:, 1]
        return self.one_hot(tokens)  # (batch, time, 6)

    def label(self, inputs: torch.Tensor) -> torch.Tensor:
        is_y = inputs[..., len(DISTRACTORS) + 1]  # (batch, time): 1 where the token is Y
        is_marker = inputs[..., len(DISTRACTORS) :].sum(-1)  # (batch, time): 1 at X or Y
        # The k-th marker is where the running count of markers reaches k.
        order = is_marker.cumsum(-1) * is_marker  # (batch, time): 1 at the first, 2 at the second
        first_is_y = (is_y * (order == 1)).sum(-1)
        second_is_y = (is_y * (order == 2)).sum(-1)
        return (2 * first_is_y + second_is_y).long()  # XX=0, XY=1, YX=2, YY=3

    @property
    def baseline(self) -> Baseline:
        return uniform_baseline(len(CLASSES), "guess the order: loss ln 4 ≈ 1.386, accuracy 25%")

    sentence = "{head} … then {count} more distractors. The answer is the order of X/Y: {answer}."

    def describe_facts(self, inputs: torch.Tensor) -> dict[str, object]:
        vocabulary = DISTRACTORS + MARKERS
        symbols = [vocabulary[t] for t in self.tokens(inputs).tolist()]
        answer = CLASSES[self.label(inputs.unsqueeze(0)).item()]
        return {"head": " ".join(symbols[: 2 * WINDOW]), "count": self.gap, "answer": answer}
