"""Embedded topic classifier for parents' messages: pure Python, trained from flows/ examples, no network."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.nlu_tuning import Trial, choose_coverage, choose_threshold_and_margins
from bot.normaliser import Normaliser

GROUP_WEIGHTS = {"w": 1.0, "b": 0.6, "c": 1.0}  # word unigrams, word bigrams, character n-grams
CHAR_SIZES = (3, 4, 5)
COVERAGE_STEPS = tuple(i / 20 for i in range(11))  # 0..50% of a message's words known to the best topic


@dataclass(frozen=True)
class Prediction:
    """What the classifier makes of one message."""

    topic: str | None  # None when not confident enough: the bot asks "did you mean...?"
    confidence: float  # 0..1, the best topic's score
    # Up to 3 best topic ids, best first, also when topic is None; empty when no topic is close enough to
    # suggest, or the message is closer to the off-topic examples (flows/nlu/out_of_scope.yaml) than to any
    # topic: the bot then says what it can help with and shows the menu.
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """What the best topic's examples share with a message (see Classifier._evidence)."""

    coverage: float  # 0..1, share of the message's words the topic's examples use
    specific: float  # idf of the rarest word or word pair shared (0 when none)


@dataclass(frozen=True)
class Settings:
    """Scoring knobs, fixed by leave-one-out experiments on the topic examples (see bench/nlu_bench.py)."""

    knn: int = 2  # how many of a topic's nearest examples are averaged
    blend: float = 0.5  # share of the nearest-examples score; the rest is similarity to the topic centroid
    cost_of_wrong: float = 2.0  # a confident wrong answer counts as this many lost right answers
    min_threshold: float = 0.2  # never answer below this score, whatever leave-one-out would allow
    min_margin: float = 0.02  # the best topic must lead the next by at least this share of its score
    smooth: int = 2  # tuning averages each margin's gain with this many grid steps either side of it
    # Suggest topics only above the score this share of the examples (left out one at a time) falls below:
    # a message further from every topic than nearly all real questions is off-topic, not a near miss.
    suggest_quantile: float = 0.01
    # An answer needs one word or word pair shared with the topic that at most this share of the topics
    # use. Words many topics share ("ehcp", "my daughter") make a choice, as "tribunal" or "exclusion"
    # alone already did. Leave-one-out on flows/: one right answer fewer of 856, no wrong one more or fewer.
    specific_share: float = 1 / 3
    # Suggest a topic only for messages at most this many times as long (in words) as its longest example
    # plus two: "hello" is no "did you mean" for a paragraph that only starts "hi".
    suggest_length: float = 2.0


def features(tokens: Sequence[str]) -> Counter[str]:
    """Word unigrams, word bigrams and character 3-5-grams inside word boundaries, counted."""
    counts: Counter[str] = Counter()
    for i, token in enumerate(tokens):
        counts["w:" + token] += 1
        if i:
            counts[f"b:{tokens[i - 1]} {token}"] += 1
        if token.isdigit():
            continue
        padded = f"<{token}>"
        for size in CHAR_SIZES:
            for start in range(len(padded) - size + 1):
                counts["c:" + padded[start : start + size]] += 1
    return counts


class Classifier:
    """TF-IDF nearest-examples classifier with a topic-centroid tie-in and an "I'm not sure" rule."""

    def __init__(self, normaliser: Normaliser, settings: Settings) -> None:
        """Start empty; use Classifier.train."""
        self.normaliser = normaliser
        self.settings = settings
        self.topics: tuple[str, ...] = ()
        # Groups of off-topic examples, scored like topics after them (numbers len(topics) onwards) but never
        # answered or suggested: a message closer to one of them than to every topic is declined.
        self.off_topic: tuple[str, ...] = ()
        self.topic_examples = 0  # examples of topics come first; those of off-topic groups after them
        self.known: frozenset[str] = frozenset()  # features of any example, topic or off-topic
        self.off_topic_words: frozenset[str] = frozenset()  # words of off-topic examples no topic example uses
        self.longest: list[int] = []  # words in each topic's longest example (Settings.suggest_length)
        self.idf: dict[str, float] = {}
        self.unknown_idf = 1.0
        self.rare_idf = 1.0  # a word of one topic only: what an unknown word weighs in _evidence
        self.example_topic: list[int] = []
        self.example_ranges: list[tuple[int, int]] = []
        self.examples: dict[str, list[tuple[int, float]]] = {}  # feature -> (example, weight)
        self.centroids: dict[str, list[tuple[int, float]]] = {}  # feature -> (topic, weight of the sum)
        self.centroid_norms: list[float] = []
        # The same index as arrays, so a message is scored in a few vectorised steps rather than a Python
        # loop over every (feature, example) pair: features get numbers; each feature's postings are a
        # slice of flat arrays (`post_start`); centroids are a dense topics x features matrix.
        self.feature_ids: dict[str, int] = {}
        self.post_start = np.zeros(1, dtype=np.int64)
        self.post_example = np.zeros(0, dtype=np.int64)
        self.post_weight = np.zeros(0)
        self.centroid_matrix = np.zeros((0, 0))
        self.topic_of = np.zeros(0, dtype=np.int64)
        self.topic_first = np.zeros(0, dtype=np.int64)
        self.topic_size = np.zeros(0, dtype=np.int64)
        self.norm_array = np.zeros(0)
        self.threshold = settings.min_threshold
        self.margin = settings.min_margin  # required lead when the single nearest example agrees with it
        self.split_margin = settings.min_margin  # required lead when the nearest example is another topic's
        self.coverage = 0.0  # share of the message's words the best topic must know (see _evidence)
        self.specific = 0.0  # the best topic must share a word or pair this rare (idf; Settings.specific_share)
        self.suggest_floor = 0.0  # below this best score nothing is suggested (see Settings.suggest_quantile)
        self.tuning: dict[str, float] = {}  # leave-one-out figures on the examples, for the benchmark

    @classmethod
    def train(
        cls,
        examples: Mapping[str, Sequence[str]],
        lexicon: Mapping[str, str],
        settings: Settings | None = None,
        off_topic: Mapping[str, Sequence[str]] | None = None,
    ) -> Classifier:
        """Build the index from each topic's example phrasings and pick thresholds by leave-one-out.

        off_topic: groups of messages that are no topic's (flows/nlu/out_of_scope.yaml).
        """
        self = cls(Normaliser(lexicon), settings or Settings())
        self.topics = tuple(sorted(topic for topic, texts in examples.items() if texts))
        off_topic = off_topic or {}
        self.off_topic = tuple(sorted(group for group, texts in off_topic.items() if texts))
        sources = [*(examples[t] for t in self.topics), *(off_topic[g] for g in self.off_topic)]
        tokenised = [
            (number, self.normaliser.tokens(text)) for number, texts in enumerate(sources) for text in texts
        ]
        # Typos are corrected into topic words only; off-topic words are left alone, not taken for typos.
        self.normaliser.learn(tokens for number, tokens in tokenised if number < len(self.topics))
        self.normaliser.leave_alone(tokens for number, tokens in tokenised if number >= len(self.topics))
        kept = [(number, tokens) for number, tokens in tokenised if tokens]
        counted = [features(tokens) for _, tokens in kept]
        self.topic_examples = bisect_left([number for number, _ in kept], len(self.topics))
        # Weights come from the topics alone, so off-topic examples change no topic's score: a word only they
        # use weighs what an unknown word does, and now counts towards them.
        self.idf, self.unknown_idf = self._weights(
            counted[: self.topic_examples], [number for number, _ in kept[: self.topic_examples]]
        )
        self.known = frozenset(self.idf).union(*counted[self.topic_examples :])
        self.off_topic_words = frozenset(f for f in self.known if f[0] == "w" and f not in self.idf)
        self.rare_idf = max(self.idf.values(), default=1.0)
        total = len(self.topics)
        self.specific = math.log((1 + total) / (1 + total * self.settings.specific_share)) + 1
        vectors = [self.vector(counts) for counts in counted]
        self.example_topic = [number for number, _ in kept]
        self.example_ranges = [  # examples are numbered topic by topic: (first, after last) of each
            (bisect_left(self.example_topic, number), bisect_left(self.example_topic, number + 1))
            for number in range(len(sources))
        ]
        self.longest = [
            max((len(tokens) for number, tokens in kept if number == topic), default=0) for topic in range(total)
        ]
        sums: list[dict[str, float]] = [defaultdict(float) for _ in sources]
        examples_index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, vector in enumerate(vectors):
            for feature, weight in vector.items():
                examples_index[feature].append((index, weight))
                sums[self.example_topic[index]][feature] += weight
        self.examples = dict(examples_index)
        centroid_index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, summed in enumerate(sums):
            for feature, weight in summed.items():
                centroid_index[feature].append((number, weight))
        self.centroids = dict(centroid_index)
        self.centroid_norms = [math.sqrt(sum(w * w for w in s.values())) or 1.0 for s in sums]
        self._index_arrays()
        self._tune(vectors)
        return self

    def _index_arrays(self) -> None:
        """Lay the postings and centroids out as arrays (see __init__)."""
        self.feature_ids = {feature: number for number, feature in enumerate(self.examples)}
        lengths = [len(postings) for postings in self.examples.values()]
        self.post_start = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
        flat = [pair for postings in self.examples.values() for pair in postings]
        self.post_example = np.array([example for example, _ in flat], dtype=np.int64)
        self.post_weight = np.array([weight for _, weight in flat], dtype=np.float64)
        self.centroid_matrix = np.zeros((len(self.centroid_norms), len(self.feature_ids)))
        for feature, postings in self.centroids.items():
            for number, weight in postings:
                self.centroid_matrix[number, self.feature_ids[feature]] = weight
        self.topic_of = np.array(self.example_topic, dtype=np.int64)
        self.topic_first = np.array([first for first, _ in self.example_ranges], dtype=np.int64)
        self.topic_size = np.array([stop - first for first, stop in self.example_ranges], dtype=np.int64)
        self.norm_array = np.array(self.centroid_norms)

    def _weights(self, counted: list[Counter[str]], topic_of: list[int]) -> tuple[dict[str, float], float]:
        """Inverse topic frequency of each feature, and the weight of a feature no topic has."""
        # Counted over topics, not examples: a word in every example of one topic ("governors") is a
        # strong clue, a word spread over many topics ("school") is not.
        seen: dict[str, set[int]] = defaultdict(set)
        for counts, number in zip(counted, topic_of, strict=True):
            for feature in counts:
                seen[feature].add(number)
        total = len(self.topics)
        idf = {f: math.log((1 + total) / (1 + len(numbers))) + 1 for f, numbers in seen.items()}
        return idf, math.log(1 + total) + 1

    def vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        """TF-IDF weights, each feature group scaled to its share, the whole of unit length."""
        groups: dict[str, dict[str, float]] = defaultdict(dict)
        for feature, count in counts.items():
            groups[feature[0]][feature] = (1 + math.log(count)) * self.idf.get(feature, self.unknown_idf)
        shares = sum(GROUP_WEIGHTS[g] ** 2 for g in groups)
        out: dict[str, float] = {}
        for group, weights in groups.items():
            scale = GROUP_WEIGHTS[group] / math.sqrt(shares * sum(w * w for w in weights.values()))
            for feature, weight in weights.items():
                if feature in self.known:  # unknown features only lengthen the vector, which lowers every score
                    out[feature] = weight * scale
        return out

    def classify(self, text: str) -> Prediction:
        """Best topic for a message, or None with the likeliest alternatives when unsure."""
        if not isinstance(text, str) or not self.topics:
            return Prediction(None, 0.0, ())
        tokens = self.normaliser.tokens(text)
        if not tokens:
            return Prediction(None, 0.0, ())
        counts = features(tokens)
        ranked, nearest, off_topic = self._rank(self.vector(counts))
        if not ranked:
            return Prediction(None, 0.0, ())
        if off_topic >= ranked[0][0] and not self.off_topic_words.isdisjoint(counts):
            # Closer to messages that are no topic's than to any topic, sharing a word with them that no topic
            # uses ("bins", "weather"): not only "today" or "weekend", which parents ask us about too.
            return Prediction(None, round(min(max(ranked[0][0], 0.0), 1.0), 4), ())
        return self._decide(ranked, nearest, self._evidence(counts, ranked[0][1]), len(tokens))

    def _evidence(self, message: Iterable[str], topic: int, own: Mapping[str, float] | None = None) -> Evidence:
        """How much of the message the topic's examples account for, and how telling the shared words are.

        coverage: the share of the message's words (by idf squared) that the topic's examples use too. An
        unknown word counts against, weighing as much as a word of one topic (as a word only the left-out
        example has does in leave-one-out): "when do the bins get collected" shares a rare word with one
        topic ("collect"), but "bins" is no word of it. specific: the rarest word or word pair shared with
        the topic; "my daughter" or a bare "ehcp" share only words many topics use. own: a left-out
        example's weights, taken off its topic's sums (leave-one-out).
        """
        row = self.centroid_matrix[topic]
        total = covered = specific = 0.0
        for feature in message:
            if feature[0] not in "wb":
                continue
            number = self.feature_ids.get(feature, -1)
            idf = self.idf.get(feature, self.rare_idf)
            shared = number >= 0 and row[number] - (own.get(feature, 0.0) if own else 0.0) > 1e-9
            if feature[0] == "w":
                total += idf * idf
                covered += idf * idf if shared else 0.0
            if shared:
                specific = max(specific, idf)
        return Evidence(covered / total if total else 0.0, specific)

    def _rank(
        self, vector: Mapping[str, float], leave_out: int = -1
    ) -> tuple[list[tuple[float, int]], int, float]:
        """Topic scores, best first: (score, topic number), the topic of the single nearest topic example,
        and the best off-topic group's score (0 when there are none).

        leave_out drops one example (leave-one-out).
        """
        known = [(self.feature_ids[f], w) for f, w in vector.items() if f in self.feature_ids]
        count = len(self.example_topic)
        if not known:
            return [], -1, 0.0
        ids = np.array([number for number, _ in known], dtype=np.int64)
        weights = np.array([weight for _, weight in known])
        # Similarity to each example: gather every posting of the message's features, weight, add up.
        starts, lengths = self.post_start[ids], self.post_start[ids + 1] - self.post_start[ids]
        total = int(lengths.sum())
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        positions = offsets + np.arange(total)
        near = np.bincount(
            self.post_example[positions], weights=self.post_weight[positions] * np.repeat(weights, lengths),
            minlength=count,
        )
        if leave_out >= 0:
            near[leave_out] = 0.0  # as good as absent: a topic's missing neighbours also count as 0
        central = self.centroid_matrix[:, ids] @ weights
        norms = self.norm_array
        if leave_out >= 0:  # that topic's centroid without this example: |S - v|^2 = |S|^2 - 2 v.S + 1
            norms = norms.copy()
            own = self.example_topic[leave_out]
            dot = central[own]
            central[own] = dot - 1.0
            norms[own] = math.sqrt(max(norms[own] ** 2 - 2 * dot + 1.0, 1e-12))
        k, blend = self.settings.knn, self.settings.blend
        # The k best examples of each topic: examples are numbered topic by topic, so sort by (topic, -near)
        # and take the first k of each run; a topic with fewer than k examples counts the missing as 0.
        # near is a cosine (0..1), so one sort on topic * 4 - near does it (a third of lexsort's time).
        order = np.argsort(self.topic_of * 4.0 - near, kind="stable")
        ranked_near = near[order]
        classes = len(self.topic_size)
        best = np.zeros(classes)
        has_any = np.zeros(classes, dtype=bool)
        for j in range(k):
            present = self.topic_size > j
            values = np.where(present, ranked_near[np.minimum(self.topic_first + j, count - 1)], 0.0)
            best += values
            has_any |= present
        every = blend * best / k + (1 - blend) * central / norms
        topics = len(self.topics)
        off_topic = float(every[topics:].max()) if classes > topics else 0.0
        scores_array, has_any = every[:topics], has_any[:topics]
        numbers = np.flatnonzero((scores_array != 0) | has_any)
        # Best first; topics are numbered in name order, so ties go by name.
        numbers = numbers[np.lexsort((numbers, -scores_array[numbers]))]
        scores = list(zip(scores_array[numbers].tolist(), numbers.tolist(), strict=True))
        closest = int(np.argmax(near[: self.topic_examples])) if self.topic_examples else -1
        nearest = self.example_topic[closest] if closest >= 0 and near[closest] > 0 else -1
        return scores, nearest, off_topic

    def _decide(
        self, ranked: list[tuple[float, int]], nearest: int, evidence: Evidence, words: int = 0
    ) -> Prediction:
        """Answer only when the best topic is close enough, clearly ahead of the next and knows the words.

        The lead needed is smaller when the single most similar example belongs to the best topic too:
        leave-one-out shows the best guess is then right far more often at the same lead. Further from
        every topic than nearly all real questions, nothing is suggested either; nor is a topic whose
        examples are all far shorter than the message (words: how many it has; Settings.suggest_length).
        """
        if not ranked or ranked[0][0] <= 0:
            return Prediction(None, 0.0, ())
        top = ranked[0][0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        confidence = round(min(max(top, 0.0), 1.0), 4)
        if top < self.suggest_floor:
            return Prediction(None, confidence, ())
        limit = self.settings.suggest_length
        fits = [n for score, n in ranked if score > 0 and words <= limit * self.longest[n] + 2][:3]
        alternatives = tuple(self.topics[number] for number in fits)
        margin = self.margin if nearest == ranked[0][1] else self.split_margin
        sure = top >= self.threshold and self._gap(top, second) >= margin and self._telling(evidence)
        sure = sure and fits[:1] == [ranked[0][1]]
        return Prediction(alternatives[0] if sure else None, confidence, alternatives)

    def _telling(self, evidence: Evidence) -> bool:
        """The best topic accounts for enough of the message, with at least one telling word."""
        return evidence.coverage >= self.coverage and evidence.specific >= self.specific

    @staticmethod
    def _gap(top: float, second: float) -> float:
        """How far the best topic is ahead of the next, as a share of its score."""
        return (top - second) / top if top > 0 else 0.0

    def _tune(self, vectors: Sequence[Mapping[str, float]]) -> None:
        """Pick the threshold, margins and evidence needed that do best on leave-one-out (see bot/nlu_tuning.py).

        Off-topic examples tune nothing: how many of them would be declined is only reported. (A topic's
        example never is: it shares no word with them that no topic uses.)
        """
        trials: list[Trial] = []
        declined = 0  # off-topic examples declined
        for index, vector in enumerate(vectors):
            ranked, nearest, off_topic = self._rank(vector, leave_out=index)
            if index >= self.topic_examples:
                # The left-out example's own words tell nothing: only words another off-topic example uses too.
                own = [f for f in self.off_topic_words.intersection(vector) if len(self.examples[f]) > 1]
                declined += bool(own) and (not ranked or off_topic >= ranked[0][0])
            elif ranked:
                top, second = ranked[0][0], (ranked[1][0] if len(ranked) > 1 else 0.0)
                right = ranked[0][1] == self.example_topic[index]
                evidence = self._evidence(vector, ranked[0][1], vector if right else None)
                trials.append(Trial(right, top, self._gap(top, second), nearest == ranked[0][1], evidence))
        self.threshold, self.margin, self.split_margin = choose_threshold_and_margins(trials, self.settings)
        answered = [
            trial for trial in trials
            if trial.top >= self.threshold and trial.gap >= (self.margin if trial.agrees else self.split_margin)
        ]
        self.coverage = choose_coverage(answered, self.specific, self.settings, COVERAGE_STEPS)
        kept = [trial.right for trial in answered if self._telling(trial.evidence)]
        count = max(len(trials), 1)
        tops = sorted(trial.top for trial in trials)
        self.suggest_floor = tops[int(len(tops) * self.settings.suggest_quantile)] if tops else 0.0
        self.tuning = {
            "best_guess_right": sum(trial.right for trial in trials) / count,
            "answered_right": sum(kept) / count,
            "answered_wrong": (len(kept) - sum(kept)) / count,
            "off_topic_declined": declined / max(len(vectors) - self.topic_examples, 1),
        }
