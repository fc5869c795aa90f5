"""Remember the first word: "I grew up in France … I speak fluent French"."""

from __future__ import annotations

import torch

from models.tasks.base import Baseline, TokenTask, uniform_baseline

COUNTRIES = ("France", "Spain", "Italy", "Germany")
LANGUAGES = ("French", "Spanish", "Italian", "German")
FILLER = ("and", "then", "we", "moved", "away", "years", "later", "so")


class RecallTask(TokenTask):
    """Remember the first symbol (Hochreiter & Schmidhuber 1997, experiment 2), in words:

        input   France  then  we  moved  away  …  so        (one cue, then `gap` filler words)
        target  French                                      (asked for after the last word)

    The cue is one of four countries; only it decides the answer; the filler words are noise.
    """

    key = "recall"
    name = "Recall"
    variant = "remember the first symbol (Hochreiter & Schmidhuber 1997, exp. 2): 1 of 4 cues, then gap fillers"
    input_size = len(COUNTRIES) + len(FILLER)
    output_size = len(LANGUAGES)

    @property
    def length(self) -> int:
        return self.gap + 1

    def inputs(self, generator: torch.Generator, batch_size: int) -> torch.Tensor:
        cue = torch.randint(0, len(COUNTRIES), (batch_size, 1), generator=generator)
        filler = torch.randint(0, len(FILLER), (batch_size, self.gap), generator=generator)
        tokens = torch.cat([cue, filler + len(COUNTRIES)], dim=1)  # (batch, time)
        return self.one_hot(tokens)  # (batch, time, 12)

    def label(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.tokens(inputs)[:, 0]  # (batch,) the cue's index is the language's index

    @property
    def baseline(self) -> Baseline:
        return uniform_baseline(len(LANGUAGES), "guess a language: loss ln 4 ≈ 1.386, accuracy 25%")

    def words(self, inputs: torch.Tensor) -> list[str]:
        vocabulary = COUNTRIES + FILLER
        return [vocabulary[t] for t in self.tokens(inputs).tolist()]

    sentence = "I grew up in {cue}. {shown} (+ {count} words). I speak fluent … {answer}."

    def describe_facts(self, inputs: torch.Tensor) -> dict[str, object]:
        cue, *filler = self.words(inputs)
        shown = " ".join(filler) if len(filler) <= 12 else " ".join(filler[:8]) + " … " + filler[-1]
        return {"cue": cue, "shown": shown, "count": len(filler), "answer": LANGUAGES[COUNTRIES.index(cue)]}
