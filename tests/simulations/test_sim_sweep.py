"""Sweeps: seeding by (master, index), identical results for any executor, the catalogue."""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codebook import coders
from codebook.distributions import Distribution
from simulations import catalog
from simulations.experiment import CoderSpec
from simulations.backends import MAX_BATCH, MAX_WORKERS, SerialBackend, batch_sizes, cap_workers, make_backend
from simulations.sweep import Task, run_sweep


def _tasks():
    p = Distribution([0.5, 0.25, 0.125, 0.125])
    out = []
    for i, w in enumerate((0.0, 0.3, 0.6)):
        q = p.mix(Distribution.uniform(4), w)
        out.append(Task(f"w={w}", p, q, tuple(CoderSpec(n) for n in coders.names("prefix")), 3000, 2, x=w))
    return out


def test_task_seed_is_master_and_index():
    results = run_sweep(_tasks(), 11)
    assert [r.seed for r in results] == [(11, 0), (11, 1), (11, 2)]
    assert [r.label for r in results] == ["w=0.0", "w=0.3", "w=0.6"]
    assert results[0].records[0]["seed"] == "11,0,0"


def test_results_identical_for_any_number_of_workers():
    serial = run_sweep(_tasks(), 5, workers=1)
    pooled = run_sweep(_tasks(), 5, workers=2)
    with cf.ThreadPoolExecutor(3) as ex:
        threaded = run_sweep(_tasks(), 5, executor=ex)
    assert [r.records for r in serial] == [r.records for r in pooled] == [r.records for r in threaded]
    assert [r.summaries for r in serial] == [r.summaries for r in pooled]


def test_progress_called_once_per_task():
    ticks = []
    run_sweep(_tasks(), 0, progress=ticks.append)
    assert ticks == [1, 1, 1]


def test_backend_choice_and_worker_cap():
    assert isinstance(make_backend(1), SerialBackend)
    assert isinstance(make_backend(8, calls=1), SerialBackend)  # one task: no pool at all
    with make_backend(8, calls=3) as backend:
        assert backend.workers == 3
    assert cap_workers(10**6) == MAX_WORKERS
    with pytest.raises(ValueError, match="`workers` must be >= 1; got 0"):
        make_backend(0)


def test_batch_sizes_follow_factoring():
    # Worked by hand from the rule (rounds of one batch per worker, each ceil(remaining / (2 x
    # workers)), at most min(MAX_BATCH, calls // (8 x workers)) = 25 here): 350 calls in 25s,
    # then 50 left: 13, 13; 24 left: 6, 6; 12 left: 3, 3; 6 left: 2, 2; 2 left: 1, 1.
    assert list(batch_sizes(400, 2)) == [25] * 14 + [13, 13, 6, 6, 3, 3, 2, 2, 1, 1]
    assert list(batch_sizes(31, 2)) == [1] * 31  # fewer than 16 calls a worker: one per task
    assert max(batch_sizes(32, 2)) == 2
    assert list(itertools.islice(batch_sizes(None, 4), 5)) == [1] * 5  # count unknown


@given(st.integers(1, 10**5), st.integers(1, 64))
def test_batch_sizes_cover_every_call_once_and_shrink(calls, workers):
    sizes = list(batch_sizes(calls, workers))
    assert sum(sizes) == calls
    assert all(1 <= s <= max(1, min(MAX_BATCH, calls // (8 * workers))) for s in sizes)
    assert sizes == sorted(sizes, reverse=True)


def test_process_backend_batches_and_returns_every_call():
    with make_backend(2, calls=100) as backend:
        assert max(backend.batch_sizes()) == 6  # 100 // 16: calls share tasks
        got = sorted(backend.imap_unordered(pow, ((i, (i, 2)) for i in range(100))))
    assert got == [(i, i * i) for i in range(100)]


def test_catalogue_has_the_required_sweeps():
    assert set(catalog.CATALOG) >= {"mismatch", "asymmetry", "learned-model", "convergence", "blocks", "precision"}
    with pytest.raises(ValueError, match="unknown sweep 'nope'; known sweeps: mismatch"):
        catalog.get("nope")


@pytest.mark.parametrize("name", ["mismatch", "asymmetry", "learned-model", "blocks"])
def test_quick_catalogue_sweeps_run_and_are_consistent(name, tmp_path):
    sdef = catalog.get(name)
    results = run_sweep(sdef.tasks(0, True), 0)
    assert results
    for r in results:
        for rec in r.records:
            assert rec["verdict"] in ("consistent", "not codable"), (r.label, rec["coder"], rec["reason"])
            assert rec["verdict"] == "consistent" or math.isinf(rec["expected"] or math.inf)
    sdef.figures(results, tmp_path)
    pngs = list(tmp_path.glob("*.png"))
    assert pngs
    for png in pngs:  # readable in a report: at least 1600 px wide (PNG IHDR: width at bytes 16-20)
        assert int.from_bytes(png.read_bytes()[16:20], "big") >= 1600, png.name


def test_asymmetry_reports_the_infinite_direction():
    sdef = catalog.get("asymmetry")
    results = run_sweep(sdef.tasks(0, True), 0)
    by_label = {r.label: r for r in results}
    fwd = by_label["theory §j example: data ~ p, code for q"]
    back = by_label["theory §j example: data ~ q, code for p"]
    assert fwd.H_pq == pytest.approx(3.0265, abs=5e-5) and back.H_pq == pytest.approx(3.0880, abs=5e-5)
    assert math.isinf(by_label["one-hot target: data ~ q, code for p"].H_pq)
    assert any("H(q,p) = inf" in line for line in sdef.findings(results))


def test_learned_model_without_smoothing_says_infinite():
    sdef = catalog.get("learned-model")
    tasks = sdef.tasks(0, True)
    unsmoothed_small = [t for t in tasks if t.meta.get("smoothing") == 0.0 and t.meta["m"] == 16]
    assert unsmoothed_small and unsmoothed_small[0].meta["unseen"] > 0
    results = run_sweep(tasks, 0)
    lines = sdef.findings(results)
    assert any("add-0, m=16" in line and "H(p,q) = D(p||q) = inf" in line for line in lines)


def test_precision_sweep_covers_every_stream_coder():
    tasks = catalog.get("precision").tasks(0, True)
    streams = coders.names("stream")
    if not streams:
        assert tasks == []
        assert "No stream coder is registered" in catalog.get("precision").findings([])[0]
    else:
        assert {c.name for t in tasks for c in t.coders} == set(streams)
        assert all(dict(c.options)["precision"] == t.x for t in tasks for c in t.coders)


def test_one_bonferroni_family_for_the_whole_sweep():
    from simulations import stats
    from simulations.sweep import family_size

    tasks = _tasks()
    results = run_sweep(tasks, 1)
    m = family_size(tasks)
    assert m == sum(len(t.coders) * (t.trials + 1) + 1 for t in tasks) == 3 * (len(coders.names("prefix")) * 3 + 1)
    assert {r.intervals_judged for r in results} == {m}
    assert results[0].z_family == pytest.approx(stats.bonferroni_z(1e-3, m))
