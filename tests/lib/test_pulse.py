"""The pulse's publication rule: no figure, alone or combined with others, narrows below five."""

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accueil.lib.pulse import MINIMUM, shown


def test_a_whole_of_fewer_than_five_shows_nothing():
    result = shown({"a": 2, "b": 2})
    assert not result.whole and result.parts == frozenset()


def test_parts_of_five_or_more_are_shown_when_nothing_small_is_left_over():
    result = shown({"a": 5, "b": 7, "c": 0})
    assert result.whole and result.parts == {"a", "b"} and result.leftover == 0


def test_a_small_leftover_hides_the_smallest_shown_part():
    # Agency 14 and office A 6, B 6 would leave office C's 2 people exposed by subtraction.
    result = shown({"a": 6, "b": 7, "c": 2})
    assert result.whole
    assert result.parts == {"b"}
    assert result.leftover == 8


def test_agents_of_several_offices_are_never_a_part_of_their_own():
    result = shown({"a": 5, None: 9})
    assert result.parts == {"a"} and result.leftover == 9
    assert shown({"a": 5, None: 3}).parts == frozenset()


def test_a_single_part_equal_to_the_whole_is_shown():
    # Same five people twice: the difference is nobody.
    assert shown({"a": 5}).parts == {"a"}


def test_minimum_must_be_positive_and_counts_not_negative():
    with pytest.raises(ValueError):
        shown({"a": 5}, minimum=0)
    with pytest.raises(ValueError):
        shown({"a": -1})


counts = st.dictionaries(
    st.one_of(st.none(), st.sampled_from("abcdef")), st.integers(0, 12), max_size=7
)


@given(counts)
def test_no_combination_of_shown_figures_narrows_below_five(parts):
    result = shown(parts)
    total = sum(parts.values())
    figures = [total] if result.whole else []
    shown_parts = sorted(result.parts)
    # Every sum of shown parts is itself a figure a reader can build...
    for size in range(1, len(shown_parts) + 1):
        for chosen in combinations(shown_parts, size):
            figures.append(sum(parts[key] for key in chosen))
    # ...and the whole minus any of them is one too. Every difference between two buildable
    # figures that are nested (one group inside the other) is 0 or at least five people.
    for size in range(0, len(shown_parts) + 1):
        for chosen in combinations(shown_parts, size):
            inside = sum(parts[key] for key in chosen)
            if result.whole:
                assert total - inside == 0 or total - inside >= MINIMUM
            assert inside == 0 or inside >= MINIMUM
    assert all(figure >= MINIMUM for figure in figures)
    if result.parts:
        assert result.whole


@given(counts)
def test_every_part_of_five_or_more_is_shown_unless_it_protects_a_small_leftover(parts):
    result = shown(parts)
    hidden_big = {k for k, n in parts.items() if k is not None and n >= MINIMUM} - result.parts
    assert len(hidden_big) <= 1
