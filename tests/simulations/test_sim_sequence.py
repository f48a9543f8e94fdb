"""Sequence experiments: sources and models with memory, verified message by message and on average."""

from __future__ import annotations

import json
import math

import pytest
import codebook
from codebook import rates, sources
from codebook.cli import cli
from codebook.cli.errors import run_cli
from simulations import sequence
from simulations.sequence import ModelNameError, parse_model_name, run_sequence_experiment


@pytest.fixture(scope="module")
def chain():
    return sources.Markov.random(4, order=2, alpha=0.5, seed=7)


def test_model_names():
    assert parse_model_name("static") == ("static", 0)
    assert parse_model_name("TRUE") == ("true", 0)
    assert parse_model_name("context:3") == ("context", 3)
    for bad in ("context", "context:x", "context:17", "markov"):
        with pytest.raises(ModelNameError, match=r"unknown model .*static, true, context:K"):
            parse_model_name(bad)


@pytest.mark.parametrize("model", ["static", "true", "context:2"])
def test_every_verdict_consistent_and_the_numbers_mean_what_they_say(chain, model):
    r = run_sequence_experiment(chain, model, chain.marginal(), sequence.default_coders(model), 20_000, 4, 3)
    assert r.H_p == pytest.approx(chain.entropy_rate(), rel=1e-15)
    assert r.H_q == pytest.approx(codebook.entropy(chain.marginal()), rel=1e-15)
    assert r.consistent, [s["reason"] for s in r.summaries]
    floor = rates.block_entropy(chain, 20_000) / 20_000
    for s in r.summaries:
        assert s["bound_low"] == pytest.approx(floor, rel=1e-15)
        assert s["bits_per_symbol"] >= floor - 0.05
    if model == "true":
        assert [s["coder"] for s in r.summaries] == ["arithmetic", "rans"]
        for s in r.summaries:  # the true chain's expected ideal is the rate (+ quantization and start-up)
            assert abs(s["expected"] - chain.entropy_rate()) < 1e-3
    if model == "static":
        assert {s["coder"] for s in r.summaries} >= {"huffman", "arithmetic", "adaptive"}
        arith = next(s for s in r.summaries if s["coder"] == "arithmetic")
        # an i.i.d. model cannot go below H(X): the memoryless gap is there
        assert arith["bits_per_symbol"] > chain.entropy_rate() + 0.3


def test_a_model_coder_refuses_nothing_and_prefix_coders_are_skipped_with_the_reason(chain):
    r = run_sequence_experiment(chain, "true", None, ["huffman", "arithmetic"], 2000, 2, 1)
    assert [s["coder"] for s in r.summaries] == ["arithmetic"]
    assert r.skipped[0]["coder"] == "huffman" and "cannot follow" in r.skipped[0]["reason"]


def test_a_wrong_expectation_is_caught(chain, monkeypatch):
    original = sequence._expectation

    def off(code, kind, source, n):
        e = original(code, kind, source, n)
        return None if e is None else e + 0.01 * n  # 0.01 bit/symbol too high

    monkeypatch.setattr(sequence, "_expectation", off)
    # 20 messages: t_19 at the family level is about 4.4, so the test resolves a few 1e-3 bit/symbol
    r = run_sequence_experiment(chain, "true", None, ["arithmetic"], 20_000, 20, 2)
    (s,) = r.summaries
    assert s["verdict"] == "not consistent" and "misses the exact expectation" in s["reason"]


def test_a_window_violation_is_caught_on_every_message(chain, monkeypatch):
    from codebook.coders.arithmetic import ModelArithmeticCoder

    monkeypatch.setattr(ModelArithmeticCoder, "excess_bounds", lambda self, n: (0.0, 0.0))
    r = run_sequence_experiment(chain, "true", None, ["arithmetic"], 5000, 3, 2)
    assert all(rec["verdict"] == "not consistent" for rec in r.records)
    assert "outside the coder's window [0.000, 0.000]" in r.records[0]["reason"]


def test_iid_source_with_a_context_model():
    src = sources.as_source([0.5, 0.25, 0.25])
    r = run_sequence_experiment(src, "context:0", None, ["arithmetic"], 10_000, 3, 4)
    assert r.consistent and r.H_p == 1.5 and math.isnan(r.H_pq)


# ---------------------------------------------------------------------- the command line
def _run(capsys, *args):
    status = run_cli(cli, ["simulate", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_markov_source_default_is_the_static_marginal(capsys):
    status, out, err = _run(capsys, "--p", "markov:3:1:0.5:2", "--n", "5000", "--trials", "3")
    assert status == 0, err
    assert "model = the source's stationary marginal" in out
    assert "H rate = " in out and "floor H(X^n)/n" in out
    for name in ("huffman", "arithmetic", "adaptive"):
        assert name in out


def test_cli_true_and_context_models_json(capsys):
    status, out, err = _run(capsys, "--p", "markov:3:2:0.5:2", "--model", "context:2", "--n", "3000", "--trials", "2",
                            "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    assert data["command"].startswith("codebook simulate --p markov:3:2:0.5:2 --model context:2")
    assert {s["coder"] for s in data["summaries"]} == set(sequence.default_coders("context:2"))
    status, out, err = _run(capsys, "--p", "markov:3:2:0.5:2", "--model", "true", "--n", "3000", "--trials", "2",
                            "--format", "csv")
    assert status == 0 and out.startswith("experiment,")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "nope"], "unknown model 'nope'"),
        (["--p", "markov:4:1:0.5"], "expected markov:K:ORDER:ALPHA:SEED"),
        (["--p", "markov:3:1:0.5:1", "--q", "uniform:4"], "q has 4 symbols but the source has 3"),
        (["--p", "markov:3:1:0.5:1", "--model", "true", "--prior", "1"], "--prior applies to adaptive"),
    ],
)
def test_cli_errors(capsys, args, message):
    status, out, err = _run(capsys, "--n", "100", "--trials", "1", *args)
    assert status in (1, 2), err
    assert message in err and len(err.strip().splitlines()) == 1
