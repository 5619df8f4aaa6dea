"""Which wellbeing-pulse figures may be shown without singling anyone out.

The pulse is anonymous for real only if no figure we show lets a reader work out what fewer
than five people answered. Showing each group of five or more is not enough: a reader who sees
the agency's figure and the figures of its offices can subtract, and what is left is everyone
in the offices we did *not* show. So the figures are drawn from one **partition** of one week's
answers — each answer belongs to exactly one part (an office), or to the unattributed part
(``None``: an agent who works in several offices), which is never shown on its own — and we
show:

- the whole (the agency), only if it has at least ``minimum`` answers;
- a part, only if it has at least ``minimum`` answers, **and** only if what the shown parts
  leave over (the whole minus every shown part) is empty or has at least ``minimum`` answers.
  When the leftover would be small, the smallest shown part is hidden too ("complementary
  suppression"), which makes the leftover at least ``minimum``.

Then every set of answers a reader can build by adding and subtracting shown figures is a
union of "atoms" — the shown parts and the leftover — each empty or of ``minimum`` or more, so
it has either no answer or at least ``minimum``. Weeks never overlap, and a week is shown only
once it is over (no figure changes after it is first seen), so time gives no difference either.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

MINIMUM = 5

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Shown(Generic[K]):
    """What may be shown of one partition: the whole or not, and which parts."""

    whole: bool
    parts: frozenset[K]
    leftover: int  # answers in no shown part (0 or >= minimum when anything is shown)


def shown(counts: Mapping[K | None, int], minimum: int = MINIMUM) -> Shown[K]:
    """``counts``: answers per part (``None``: answers that belong to no part)."""
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    total = sum(counts.values())
    if total < minimum:
        return Shown(False, frozenset(), total)
    parts: dict[K, int] = {
        key: count for key, count in counts.items() if key is not None and count >= minimum
    }
    leftover = total - sum(parts.values())
    while parts and 0 < leftover < minimum:
        # Hide the smallest part; ties broken by the key's text so the choice is stable.
        smallest = min(parts, key=lambda key: (parts[key], str(key)))
        leftover += parts.pop(smallest)
    return Shown(True, frozenset(parts), leftover)
