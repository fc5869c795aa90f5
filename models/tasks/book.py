"""The children's book: "Doug saw Jane. Jane saw Spot. Spot saw Doug.", with adjectives to carry the name across.

The lecture notes' generator, made into a task whose gap can be set: a model that sees only the last word writes
"Doug saw Doug." as often as "Doug saw Jane."; one that remembers the subject across the adjectives does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from models.tasks.base import Baseline, TokenTask

NAMES = ("Doug", "Jane", "Spot")  # the object is the next name in this cycle: Doug→Jane→Spot→Doug
ADJECTIVES = ("little", "big", "red", "happy", "funny", "brown")
SAW, PERIOD = len(NAMES), len(NAMES) + 1 + len(ADJECTIVES)  # token ids of "saw" and "."
WORDS = (*NAMES, "saw", *ADJECTIVES, ".")
FIRST_ADJECTIVE = SAW + 1
IGNORE = -100  # the target after the last word is not in the sequence: cross_entropy skips it
BINS = 6  # distance bins the next-name accuracy is reported in


class BookTask(TokenTask):
    """Next-word prediction over whole sentences: a subject, "saw", n adjectives (n uniform in 0…gap), the next
    name in the cycle, ".". With gap 2, as words:

        input   Jane  saw   big   red   Spot  .     Doug  saw   Jane  .     Spot …
        target  saw   big   red   Spot  .     Doug  saw   Jane  .     Spot  saw …

    Subjects and adjectives are random; only the object follows from an earlier word (the subject, n + 2 words
    back). Accuracy is scored there alone: of the three names, is the likeliest the right one?
    """

    key = "book"
    name = "Children's book"
    variant = (
        "the lecture notes' children's book: subject, 'saw', 0…gap adjectives, the next name in the cycle "
        "Doug→Jane→Spot→Doug, '.'; next-word prediction, scored on the object's name"
    )
    input_size = len(WORDS)
    output_size = len(WORDS)
    readout = "all"
    loss_name = "next-word cross-entropy (nats)"
    writes = True
    chance_by = "accuracy"  # the object is one word in ~20: a loss near the bigram's says nothing about it

    @property
    def length(self) -> int:
        return 2 * (self.gap + 4)  # room for two of the longest sentences

    def inputs(self, generator: torch.Generator, batch_size: int) -> torch.Tensor:
        return self.one_hot(self.stream(generator, batch_size))  # (batch, time, 11)

    def stream(self, generator: torch.Generator, batch_size: int) -> torch.Tensor:
        """Sentences back to back, cut at `length` words: (batch, time) token ids, each row from a sentence start."""
        rows = []
        sentences = self.length // 4 + 1  # enough: a sentence has at least four words
        subjects = torch.randint(0, len(NAMES), (batch_size, sentences), generator=generator).tolist()
        counts = torch.randint(0, self.gap + 1, (batch_size, sentences), generator=generator).tolist()
        adjectives = torch.randint(0, len(ADJECTIVES), (batch_size, sentences * self.gap + 1), generator=generator)
        for row_subjects, row_counts, row_adjectives in zip(subjects, counts, adjectives.tolist(), strict=True):
            words: list[int] = []
            for subject, count in zip(row_subjects, row_counts, strict=True):
                words += [subject, SAW] + [FIRST_ADJECTIVE + a for a in row_adjectives[:count]]
                words += [(subject + 1) % len(NAMES), PERIOD]
                row_adjectives = row_adjectives[count:]
                if len(words) >= self.length:
                    break
            rows.append(words[: self.length])
        return torch.tensor(rows)

    def label(self, inputs: torch.Tensor) -> torch.Tensor:
        tokens = self.tokens(inputs)  # (batch, time)
        return torch.cat([tokens[:, 1:], torch.full_like(tokens[:, :1], IGNORE)], dim=1)  # the next word

    @property
    def baseline(self) -> Baseline:
        return Baseline(
            loss=math.nan,  # depends on the sentences drawn: see chance_loss
            accuracy=1 / len(NAMES),
            explanation="a model that sees only the last word (a bigram): the object's name is a guess among three, "
            "right 1 time in 3 ('Doug saw Doug.' as often as 'Doug saw Jane.')",
        )

    def chance_loss(self, inputs: torch.Tensor, targets: torch.Tensor) -> float:
        """The best loss a last-word model reaches on these very sequences: the empirical entropy of the next word
        given the current one (what a bigram table fitted to them scores)."""
        pairs = self.tokens(inputs) * len(WORDS) + targets  # (batch, time); negative where ignored
        counts = torch.bincount(pairs[targets != IGNORE], minlength=len(WORDS) ** 2).view(len(WORDS), -1).double()
        given = counts.sum(dim=1, keepdim=True)  # (word, 1)
        terms = torch.where(counts > 0, counts * torch.log(given / counts.clamp(min=1)), torch.zeros_like(counts))
        return (terms.sum() / counts.sum()).item()

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(outputs.transpose(1, 2), targets, ignore_index=IGNORE)  # classes in dim 1

    def accuracy(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        slots = object_slots(targets)  # (batch, time)
        return (name_guess(outputs)[slots] == targets[slots]).float().mean()

    def accuracy_by_distance(self, inputs: torch.Tensor, outputs: torch.Tensor, targets: torch.Tensor) -> list:
        """Next-name accuracy per bin of n (adjectives between "saw" and the object); None for an empty bin."""
        slots = object_slots(targets)
        right = (name_guess(outputs) == targets)[slots]
        distances = adjective_runs(self.tokens(inputs))[slots]
        edges = distance_edges(self.gap)
        shares: list[float | None] = []
        for low, high in edges:
            inside = (distances >= low) & (distances <= high)
            shares.append(right[inside].float().mean().item() if inside.any() else None)
        return shares

    @property
    def distance_bins(self) -> list[str]:
        return [f"{low}" if low == high else f"{low}–{high}" for low, high in distance_edges(self.gap)]

    def words(self, inputs: torch.Tensor) -> list[str]:
        return [WORDS[t] for t in self.tokens(inputs).tolist()]

    sentence = "{sentences} Each object is the next name after its subject in the cycle Doug→Jane→Spot→Doug."

    def describe_facts(self, inputs: torch.Tensor) -> dict[str, object]:
        sentences = read_sentences(self.words(inputs))
        return {"sentences": " ".join(sentence.text for sentence in sentences if sentence.complete)}


def object_slots(targets: torch.Tensor) -> torch.Tensor:
    """Where the target is an object's name: a name that does not follow a "." (that one is a random subject)."""
    is_name = (targets >= 0) & (targets < len(NAMES))  # (batch, time)
    after_period = torch.cat([torch.ones_like(targets[:, :1], dtype=torch.bool), targets[:, :-1] == PERIOD], dim=1)
    return is_name & ~after_period


def name_guess(outputs: torch.Tensor) -> torch.Tensor:
    """The likeliest of the three names at every position: (batch, time)."""
    return outputs[..., : len(NAMES)].argmax(-1)


def adjective_runs(tokens: torch.Tensor) -> torch.Tensor:
    """How many adjectives end at each position (0 where the word is not one): (batch, time)."""
    time = torch.arange(tokens.shape[1]).expand_as(tokens)
    adjective = (tokens >= FIRST_ADJECTIVE) & (tokens < PERIOD)
    last_other = torch.where(adjective, torch.full_like(time, -1), time).cummax(dim=1).values
    return time - last_other


def distance_edges(gap: int) -> list[tuple[int, int]]:
    """At most BINS bins of equal width covering n = 0 … gap."""
    width = math.ceil((gap + 1) / BINS)
    return [(low, min(low + width - 1, gap)) for low in range(0, gap + 1, width)]


@dataclass(frozen=True)
class Sentence:
    """One sentence as written, read against the rule: the object is the next name after the subject."""

    subject: str | None
    adjectives: int  # words between "saw" and the object
    object: str | None  # None: the sentence never reached a name after "saw"
    complete: bool  # ended with "."
    words: tuple[str, ...]

    @property
    def well_formed(self) -> bool:
        """Name, "saw", adjectives, name, "." and nothing else ("Jane saw Spot saw Doug saw …" is not)."""
        return (
            self.complete
            and self.subject is not None
            and self.object is not None
            and (len(self.words) == self.adjectives + 4)
        )

    @property
    def right(self) -> bool:
        """A sentence whose subject→object pair follows the cycle."""
        if not self.well_formed:
            return False
        return NAMES[(NAMES.index(self.subject) + 1) % len(NAMES)] == self.object

    @property
    def text(self) -> str:
        return self.collapsed(longest=len(self.words))

    def collapsed(self, longest: int = 3, run: str = "… ({count} adjectives)") -> str:
        """The sentence with a long run of adjectives shortened: "Doug saw little big … (12 adjectives) Jane."
        (`run` words the cut, with the run's length as `count`)."""
        words = list(self.words[:-1] if self.complete else self.words)
        if self.adjectives > longest:
            start = words.index("saw") + 1
            words[start + 2 : start + self.adjectives] = [run.format(count=self.adjectives)]
        return " ".join(words) + ("." if self.complete else " …")


def read_sentences(words: list[str]) -> list[Sentence]:
    """Split generated words at "." and read each sentence's subject, adjective count and object."""
    sentences, current = [], []
    for word in words:
        current.append(word)
        if word == ".":
            sentences.append(_sentence(current, complete=True))
            current = []
    if current:
        sentences.append(_sentence(current, complete=False))
    return sentences


def _sentence(words: list[str], complete: bool) -> Sentence:
    subject = words[0] if words[0] in NAMES else None
    adjectives, found = 0, None
    if len(words) > 1 and words[1] == "saw":
        for word in words[2:]:
            if word in ADJECTIVES:
                adjectives += 1
                continue
            found = word if word in NAMES else None
            break
    return Sentence(subject, adjectives, found, complete, tuple(words))
