"""The distribution spec grammar used by every CLI option."""

import numpy as np
import pytest

from codebook import Distribution, DistributionError, SpecError, parse_distribution


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("0.5,0.25,0.25", [0.5, 0.25, 0.25]),
        ("1/2,1/4,1/4", [0.5, 0.25, 0.25]),
        ("[0.5, 0.5]", [0.5, 0.5]),
        ("uniform:4", [0.25] * 4),
        ("dyadic:3", [0.5, 0.25, 0.25]),
        ("geometric:3:0.5", [4 / 7, 2 / 7, 1 / 7]),
        ("zipf:3:1", [6 / 11, 3 / 11, 2 / 11]),
        ("weights:1,1,2", [0.25, 0.25, 0.5]),
        ("counts:3,1,0", [0.75, 0.25, 0.0]),
        ("counts+1:3,1,0", [4 / 7, 2 / 7, 1 / 7]),
        ("mix(dyadic:2, [0, 1], 0.5)", [0.25, 0.75]),
        ("mix([1,0], uniform:2, 1/4)", [0.875, 0.125]),
        ("temper(counts:3,1, 0.5)", [0.9, 0.1]),
        ("mix(counts:[3,1], weights:[1,3], 0.5)", [0.5, 0.5]),
    ],
)
def test_grammar(spec, expected):
    assert np.allclose(parse_distribution(spec).probs, expected, rtol=1e-15, atol=0)


def test_labels_dirichlet_and_nesting():
    assert parse_distribution("a=1/2,b=1/4,c=1/4").labels == ("a", "b", "c")
    assert parse_distribution("dirichlet:8:0.5:3") == Distribution.dirichlet(8, 0.5, seed=3)
    nested = parse_distribution("mix(mix(uniform:4, dyadic:4, 0.5), temper(zipf:4:1, 2), 0.1)")
    assert len(nested) == 4


def test_file_spec_is_the_byte_distribution(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"aab")
    d = parse_distribution(f"file:{path}")
    assert d.probs[ord("a")] == pytest.approx(2 / 3) and d.probs[ord("c")] == 0
    smoothed = parse_distribution(f"file+0.5:{path}")
    assert smoothed.probs[ord("c")] == pytest.approx(0.5 / (3 + 128))


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("", SpecError, "must be a non-empty distribution spec"),
        ("0.5,0.6", DistributionError, r"q '0.5,0.6': `q` must sum to 1 .*sum\(q\) = 1.1"),
        ("-0.1,0.6,0.5", DistributionError, r"`q` must be non-negative; q\[0\] = -0.1"),
        ("0.5,nan", SpecError, r"probability #1 must be finite; got 'nan'"),
        ("0.5,x", SpecError, r"probability #1 must be a number; got 'x'"),
        ("zipff:3:1", SpecError, r"unknown distribution family 'zipff'"),
        ("zipf:3", SpecError, r"expected zipf:K:S \(2 arguments\), got 1"),
        ("uniform:x", SpecError, r"alphabet size K must be an integer; got 'x'"),
        ("uniform:0", DistributionError, r"alphabet size K must be a positive integer; got 0"),
        ("mix(uniform:3, uniform:4, 0.2)", ValueError, r"len\(first\) = 3, len\(second\) = 4"),
        ("mix(uniform:3, uniform:3)", SpecError, r"expected mix\(SPEC, SPEC, W\) \(3 arguments\), got 2"),
        ("mix(uniform:3, uniform:3, 0.2", SpecError, r"unbalanced bracket|unknown distribution family"),
        ("file:/nonexistent/x", SpecError, r"cannot read '/nonexistent/x'"),
        ("a=0.5,0.5", SpecError, r"label every entry"),
    ],
)
def test_errors_name_the_spec_and_the_problem(spec, error, message):
    with pytest.raises(error, match=message):
        parse_distribution(spec, name="q")
