"""The JSON report's writer (reports/indented_json.py) writes what ``json.dumps(value, indent=2, default=str)`` writes."""

import json
import math

from hypothesis import given, settings, strategies as st

from agentcore_egress.reports import indented_json


class _Opaque:
    """A value JSON has no form for: both writers show it by ``default`` (str)."""

    def __str__(self) -> str:
        return "opaque ✓"


_KEYS = st.one_of(st.text(max_size=8), st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.booleans(), st.none())
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=12), st.just(_Opaque()))
_VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_writes_what_the_standard_library_writes(value):
    assert indented_json.dumps(value, default=str) == json.dumps(value, indent=2, default=str)


def test_the_spellings_json_has_for_what_it_cannot_write():
    value = {1.5: [math.nan, math.inf, -math.inf], True: {}, None: [], 7: ("é", "\u2028", "\x00")}
    assert indented_json.dumps(value) == json.dumps(value, indent=2, default=str)


def test_a_key_json_cannot_write_is_refused_as_the_standard_library_refuses_it():
    for writer in (lambda v: indented_json.dumps(v), lambda v: json.dumps(v, indent=2, default=str)):
        try:
            writer({(1, 2): "tuple key"})
        except TypeError as error:
            assert str(error) == "keys must be str, int, float, bool or None, not tuple"
        else:
            raise AssertionError("a tuple key was written")
