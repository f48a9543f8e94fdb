"""Sweeps: seeding by (master, index), identical results for any executor, the catalogue."""

from __future__ import annotations

import concurrent.futures as cf
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codebook import coders
from codebook.distributions import Distribution
from simulations import catalog
from simulations.experiment import CoderSpec
from simulations.backends import MAX_WORKERS, SerialBackend, cap_workers, make_backend
from simulations.batching import MAX_BATCH, TARGET_SECONDS, BatchPlan
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


def _sizes(calls, workers, seconds_per_call):
    """The batch sizes a plan gives when each batch finishes before the next is sent."""
    plan, sizes = BatchPlan(calls, workers), []
    while plan.remaining:
        size = min(plan.next_size(), plan.remaining)
        plan.sent(size)
        plan.finished(size, size * seconds_per_call)
        sizes.append(size)
    return sizes


def test_batches_follow_factoring_and_the_calls_cost():
    # Worked by hand from the rules: one call first (cost unknown); then min(25 = 400 // 16,
    # ceil(remaining / 4), int(0.25 s / 5.5 ms) = 45): 25 until 99 are left, then
    # ceil(99/4) = 25, ceil(74/4) = 19, 14, 11, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1.
    assert _sizes(400, 2, 0.0055) == [1] + [25] * 12 + [25, 19, 14, 11, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1]
    assert max(_sizes(400, 2, 0.05)) == 5  # 0.25 s / 50 ms
    assert _sizes(400, 2, 2.0) == [1] * 400  # calls of seconds go alone: each journaled as it ends
    assert _sizes(31, 2, 0.001) == [1] * 31  # fewer than 16 calls a worker: one per task
    assert max(_sizes(32, 2, 0.001)) == 2
    assert max(_sizes(10**5, 2, 0.0001)) == MAX_BATCH
    assert BatchPlan(None, 4).next_size() == 1  # count unknown


@given(st.integers(1, 10**5), st.integers(1, 64), st.floats(1e-6, 10.0))
def test_batches_cover_every_call_once_within_bounds(calls, workers, seconds):
    sizes = _sizes(calls, workers, seconds)
    assert sum(sizes) == calls and sizes[0] == 1
    assert all(1 <= s <= max(1, min(MAX_BATCH, calls // (8 * workers), int(TARGET_SECONDS / seconds))) for s in sizes[1:])


def test_process_backend_batches_short_calls_and_returns_every_call():
    with make_backend(2, calls=200) as backend:
        submit, tasks = backend.executor.submit, []
        backend.executor.submit = lambda *a: tasks.append(len(a[2])) or submit(*a)
        got = sorted(backend.imap_unordered(pow, ((i, (i, 2)) for i in range(200))))
    assert got == [(i, i * i) for i in range(200)]
    assert sum(tasks) == 200 and tasks[:2] == [1, 1] and len(tasks) < 60


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
