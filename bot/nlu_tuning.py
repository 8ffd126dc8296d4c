"""Chooses the classifier's threshold, margins and evidence gate from leave-one-out trials on its examples."""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # bot.nlu imports this module
    from bot.nlu import Evidence, Settings


class Trial(NamedTuple):
    """One topic example left out and classified by the rest."""

    right: bool  # the best guess is the example's own topic
    top: float  # the best guess's score
    gap: float  # its lead over the next topic, as a share of its score
    agrees: bool  # the single nearest example is of the best guess's topic
    evidence: Evidence  # what the best guess's examples share with it


def choose_threshold_and_margins(trials: Sequence[Trial], settings: Settings) -> tuple[float, float, float]:
    """The score to require, and the lead when the nearest example agrees and when not (wrong answers cost)."""
    best = (-math.inf, settings.min_threshold, settings.min_margin, settings.min_margin)
    for threshold in grid(settings.min_threshold, 0.8, 0.02):
        # The two margins apply to separate trials (nearest example agrees or not): tune each alone.
        chosen = [
            best_margin([(t.gap, t.right) for t in trials if t.top >= threshold and t.agrees == agrees], settings)
            for agrees in (True, False)
        ]
        gain = chosen[0][0] + chosen[1][0]
        if gain > best[0]:
            best = (gain, threshold, chosen[0][1], chosen[1][1])
    return best[1], best[2], best[3]


def choose_coverage(
    answered: Sequence[Trial], specific: float, settings: Settings, steps: Sequence[float]
) -> float:
    """The least share of a message's words the best topic must know that adds most to the gain.

    Chosen after the threshold and margins (they came before the evidence rule), among the trials they
    answer; the smallest when several tie.
    """
    gains = [
        (1.0 if t.right else -settings.cost_of_wrong, t.evidence) for t in answered if t.evidence.specific >= specific
    ]
    best_gate = (-math.inf, 0.0)
    for coverage in steps:
        gain = sum(g for g, evidence in gains if evidence.coverage >= coverage)
        if gain > best_gate[0]:
            best_gate = (gain, coverage)
    return best_gate[1]


def best_margin(trials: list[tuple[float, bool]], settings: Settings) -> tuple[float, float]:
    """The lead to require of these (lead, right?) trials, and the gain of answering above it."""
    margins = grid(settings.min_margin, 0.5, 0.01)
    kept = sorted(trials)
    gaps = [gap for gap, _ in kept]
    gains = [1.0 if right else -settings.cost_of_wrong for _, right in kept]
    from_here = [*reversed(list(accumulate(reversed(gains)))), 0.0]  # gain of answering kept[i:]
    raw = [from_here[bisect_left(gaps, margin)] for margin in margins]
    # A handful of borderline examples decide the single best margin, so each candidate is judged by
    # its average with its neighbours: the choice then does well either side of it.
    w = settings.smooth
    smooth = [statistics.fmean(raw[max(j - w, 0) : j + w + 1]) for j in range(len(raw))]
    j = max(range(len(margins)), key=lambda i: (smooth[i], -i))
    return raw[j], margins[j]


def grid(start: float, stop: float, step: float) -> list[float]:
    """Evenly spaced candidate values, rounded so the choice is reproducible."""
    return [round(start + i * step, 4) for i in range(round((stop - start) / step) + 1)]
