"""Did-you-mean suggestions, the one implementation every message uses; cheap with many names.

`difflib.get_close_matches` compares a word with every candidate: a file with 1,000 bad
references to 1,000 names would do a million comparisons. A trigram index narrows each lookup
to the few candidates sharing the most three-letter pieces, and difflib ranks only those.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

SHORTLIST = 8
LISTED = 10


def _trigrams(word: str) -> set[str]:
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Suggester:
    def __init__(self, choices: Iterable[str]) -> None:
        self.choices = sorted(set(choices))
        self._lowered = {choice.lower(): choice for choice in reversed(self.choices)}
        self._index: dict[str, list[str]] = defaultdict(list)
        for choice in self.choices:
            for gram in _trigrams(choice):
                self._index[gram].append(choice)
        self.suggest = lru_cache(maxsize=4096)(self._suggest)

    def _suggest(self, word: str) -> str | None:
        same_but_case = self._lowered.get(word.lower())
        if same_but_case is not None:
            return same_but_case
        shared: Counter[str] = Counter()
        for gram in _trigrams(word):
            shared.update(self._index.get(gram, ()))
        shortlist = [choice for choice, _ in shared.most_common(SHORTLIST)]
        close = difflib.get_close_matches(word, shortlist, n=1)
        return close[0] if close else None

    def did_you_mean(self, word: str) -> str:
        """` (did you mean 'x'?)`, or nothing."""
        close = self.suggest(word)
        return f" (did you mean '{close}'?)" if close is not None else ""

    def hint(self, word: str) -> str:
        """` (did you mean 'x'?)`, else the known names (the first few of many)."""
        close = self.suggest(word)
        if close is not None:
            return f" (did you mean '{close}'?)"
        listed = ", ".join(self.choices[:LISTED])
        more = f", ... ({len(self.choices)} in all)" if len(self.choices) > LISTED else ""
        return f" (known: {listed or 'none'}{more})"


@lru_cache(maxsize=256)
def suggester(choices: tuple[str, ...]) -> Suggester:
    """A shared `Suggester` for a fixed set of names (a model's keys, the stacks)."""
    return Suggester(choices)
