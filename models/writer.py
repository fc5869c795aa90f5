"""Sentences written by a next-word model, one sampled word at a time: what the children's book's models write."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.tasks.book import NAMES, PERIOD, WORDS

SENTENCES = 2  # a sample ends after this many sentences (or at the task's sequence length)


def write(model: torch.nn.Module, count: int, max_words: int, seeds: list[int]) -> list[list[list[str]]]:
    """`count` samples per copy of a stacked model: [copy][sample] → words. Copy k draws from a generator
    seeded with seeds[k] alone (so it writes what its lone run would). Each sample starts from a random name and
    goes on with words drawn from the model's own next-word distribution (temperature 1): a model that has not
    learnt the rule writes its mistakes as often as it would make them."""
    generators = [torch.Generator().manual_seed(seed) for seed in seeds]
    tokens = torch.stack([torch.randint(0, len(NAMES), (count, 1), generator=g) for g in generators])  # (K, count, 1)
    for _ in range(max_words - 1):
        logits, _ = model.evaluate(F.one_hot(tokens, len(WORDS)).float())  # (K, count, words, vocabulary)
        probabilities = torch.softmax(logits[:, :, -1].double(), dim=-1).nan_to_num(1 / len(WORDS))
        drawn = [torch.multinomial(p, 1, generator=g) for p, g in zip(probabilities, generators, strict=True)]
        tokens = torch.cat([tokens, torch.stack(drawn)], dim=2)  # (K, count, words + 1)
        if ((tokens == PERIOD).sum(dim=2) >= SENTENCES).all():
            break
    return [[_until_done(row) for row in copy.tolist()] for copy in tokens]


def _until_done(tokens: list[int]) -> list[str]:
    words, periods = [], 0
    for token in tokens:
        words.append(WORDS[token])
        periods += token == PERIOD
        if periods == SENTENCES:
            break
    return words
