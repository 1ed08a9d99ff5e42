"""The outlier check's peer reference is each unit's week against all the OTHER units of its
kind. `Sample` computes it from the sample sorted once (a national kind has tens of thousands of
units); it must give exactly what the plain definition gives on the n − 1 others."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tiendo.quality.outliers import Sample, is_outlier, modified_z

increments = st.lists(st.integers(min_value=-50, max_value=400), min_size=2, max_size=40)


@settings(max_examples=400, deadline=None)
@given(increments, st.data())
def test_leave_one_out_equals_the_plain_definition(values, data):
    sample = Sample(values)
    i = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    others = values[:i] + values[i + 1:]
    assert sample.without(values[i]) == modified_z(values[i], others)
    assert sample.others == len(others)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 0, 1, 2, 2, 7]), min_size=2, max_size=12))
def test_many_equal_values_mad_zero_and_mean_ad_fallbacks(values):
    sample = Sample(values)
    for i, x in enumerate(values):
        assert sample.without(x) == modified_z(x, values[:i] + values[i + 1:])


def test_a_jump_among_steady_peers_is_an_outlier_and_a_steady_unit_is_not():
    week = [10, 11, 9, 10, 12, 10, 11, 300]
    peers = Sample(week)
    common = {"threshold": 3.5, "min_history": 3, "min_peers": 5, "min_jump": 20}
    why = is_outlier(300, [10, 12, 9, 11], peers, **common)
    assert why is not None and why["peers"] == 7 and why["median_peers"] == 10
    assert is_outlier(11, [10, 12, 9, 11], peers, **common) is None
