"""Catalogue sweeps for sources and models with memory: ``memory``, ``learned-context``,
``predictions`` (registered in :data:`simulations.catalog.CATALOG`).

Each task runs through ``Task.run`` (a module-level function here), which returns an
:class:`~simulations.experiment.ExperimentResult` of :mod:`simulations.sequence`, so the
reports, JSON and CSV are the catalogue's usual ones. Cheap to import (no NumPy work).
"""

from __future__ import annotations

import math
from pathlib import Path

from .sweepdef import SweepDef, SweepParameterError, lazy_figure

REPO_DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _x(result):
    """The sweep coordinate of a result (kept in its records and summaries)."""
    return result.summaries[0]["x"] if result.summaries else result.records[0]["x"]


def _task(label, coders, n, trials, x, run, p_spec="", q_spec="", meta=None):
    from codebook.distributions import Distribution

    from .experiment import CoderSpec
    from .sweep import Task

    # p and q are placeholders (these tasks describe their source in meta); kept valid for the type
    one = Distribution([1.0])
    return Task(label, one, one, tuple(CoderSpec.of(c) for c in coders), n, trials, x=x, p_spec=p_spec, q_spec=q_spec,
                meta=meta or {}, run=run)


# ------------------------------------------------------------------------------------ memory

MEMORY_ORDERS = (0, 1, 2, 3, 4)


def _memory_tasks(seed: int, quick: bool, params: dict) -> list:
    from codebook.spec import parse_source

    src = parse_source(params["p"], name="p")
    if src.order < 1:
        raise SweepParameterError(f"sweep 'memory' needs a source with memory (--p markov:...); {params['p']!r} is i.i.d.")
    n, trials = params["n"], params["trials"]
    out = [_task("i.i.d. code for the marginal", ["huffman", "arithmetic"], n, trials, -1, run_memory_task,
                 params["p"], "static: the stationary marginal", {"model": "static"})]
    for k in MEMORY_ORDERS[:4] if quick else MEMORY_ORDERS:
        out.append(_task(f"context model, order {k}", ["arithmetic"], n, trials, k, run_memory_task, params["p"],
                         f"context:{k}", {"model": f"context:{k}"}))
    out.append(_task("the true chain", ["arithmetic"], n, trials, src.order, run_memory_task, params["p"],
                     "true", {"model": "true"}))
    return out


def run_memory_task(task, master_seed: int, index: int, family: int | None):
    from codebook.spec import parse_source

    from .sequence import run_sequence_experiment

    src = parse_source(task.p_spec, name="p")
    return run_sequence_experiment(src, task.meta["model"], src.marginal(), task.coders, task.n, task.trials,
                                   (master_seed, index), label=task.label, p_spec=task.p_spec, q_spec=task.q_spec,
                                   x=task.x, family_size=family)


def _memory_description(params: dict) -> str:
    return f"""The source `{params["p"]}` is a Markov chain of order 2 (it starts stationary). A memoryless
code sees only the law of one symbol: its best cost is H(X), the entropy of the stationary
marginal, reached by an arithmetic code for that marginal (the Huffman code stays within a bit
of it). A code that looks at the last k symbols can reach H(X_t | X_{{t-k}}..X_{{t-1}}), which
falls with k down to the entropy rate H at k = 2 (the source's order; Cover & Thomas §4.2). The
gap H(X) - H is what memory is worth. Adaptive context models of order k = 0..4 learn their
counts while coding (KT, theory §h): order 2 comes close to the rate; orders 3 and 4 split the
same data over more contexts and pay more for learning (about (K-1)/2 log2 n bits per context).
Every message is decoded and checked against its coder's exact window; the means are judged
with the messages as independent units (theory §l).
Messages of n = {params["n"]} symbols, {params["trials"]} per point."""


def _memory_findings(results) -> list[str]:
    r0 = results[0]
    lines = [f"H(X) = {r0.H_q:.4f} bits/symbol (the best memoryless code), entropy rate H = {r0.H_p:.4f}: "
             f"memory is worth {r0.H_q - r0.H_p:.4f} bits/symbol on this source."]
    ctx = [(_x(r), r.summaries[0]["bits_per_symbol"]) for r in results if r.label.startswith("context")]
    if ctx:
        best = min(ctx, key=lambda p: p[1])
        lines.append(f"The best adaptive context model has order {best[0]:g}: {best[1]:.4f} bits/symbol, "
                     f"{best[1] - r0.H_p:.4f} above the rate (the price of learning its counts).")
    return lines


def _memory_sweep():
    return SweepDef(
        "memory", "Memory is worth H(X) - H: memoryless codes against context models on a Markov source",
        "order-2 Markov source: memoryless codes vs adaptive context models of order 0..4",
        _memory_description, _memory_tasks, lazy_figure("sequence_figures", "memory_figures"), _memory_findings,
        defaults={"p": "markov:4:2:0.3:11", "n": 100_000, "trials": 5}, quick={"n": 5_000, "trials": 3},
        notes={"p": "a Markov source spec (markov:K:ORDER:ALPHA:SEED or markov-file[+A]:ORDER:PATH)",
               "n": "symbols per message", "trials": "messages per point"})


# ------------------------------------------------------------------------------------ learned-context

CONTEXT_ORDERS = (0, 1, 2, 3, 4, 5, 6)
TRAINING_BYTES = (0, 1_000, 3_000, 9_000)
CONTEXT_PRIORS = ((0.5, "1/2"), (1 / 32, "1/32"))
"""Krichevsky-Trofimov, and a small pseudo-count that learns sparse contexts faster."""
CM_VARIANTS = ((False, "cm without primer"), (True, "cm with primer"))
"""The reference: cm (``codebook compress``'s default model) learning only the training bytes,
like the context models, and with its built-in primer first, as ``codebook compress`` runs it."""
LEARNED_MEASURES = ("plug-in H(X | k previous bytes) of the test text", "-", "-")


def _default_text() -> str:
    """``tests/data/prose.txt`` of the repository: next to this package in a checkout, else
    under the current folder (an installed package does not ship the test data)."""
    for folder in (REPO_DATA, Path.cwd() / "tests" / "data"):
        if (folder / "prose.txt").is_file():
            return str(folder / "prose.txt")
    return "tests/data/prose.txt"


def _text(params: dict) -> tuple[bytes, str, str]:
    """The text's bytes, the path to read it from, and its name in reports (``--p`` as given,
    or ``tests/data/prose.txt``: never the absolute path of one checkout)."""
    spec = params["p"] or _default_text()
    path = Path(spec)
    try:
        return path.read_bytes(), spec, params["p"] or "tests/data/prose.txt"
    except OSError as exc:
        raise SweepParameterError(f"sweep 'learned-context' reads a text file (--p PATH; default tests/data/prose.txt "
                                  f"of the repository): cannot read {spec!r}: {exc.strerror}") from None


def _learned_context_tasks(seed: int, quick: bool, params: dict) -> list:
    data, path, shown = _text(params)
    if len(data) < 2000:
        raise SweepParameterError(f"sweep 'learned-context' needs a text of at least 2000 bytes; {shown!r} has {len(data)}")
    orders = CONTEXT_ORDERS[:4] if quick else CONTEXT_ORDERS
    half = len(data) // 2
    sizes = [m for m in TRAINING_BYTES if m <= half]
    sizes = sizes[:2] if quick else sizes
    out = []
    for alpha, text in CONTEXT_PRIORS:
        for m in sizes:
            for k in orders:
                out.append(_task(f"alpha={text}, train {m} B, order {k}", ["arithmetic"], len(data) - half, 1, k,
                                 run_learned_context_task, shown, f"context:{k}, prior {text}, trained on {m} bytes",
                                 {"order": k, "train": m, "split": half, "prior": alpha, "path": path}))
    from .experiment import CoderSpec

    for primer, name in CM_VARIANTS:
        cm = CoderSpec("cm", (("primer", primer),), label="cm")  # the options column records the primer
        for m in sizes:
            out.append(_task(f"{name}, train {m} B", [cm], len(data) - half, 1, None, run_learned_context_cm_task,
                             shown, f"cm {'after its built-in primer' if primer else 'without its primer'}, trained "
                             f"on {m} bytes", {"train": m, "split": half, "primer": primer, "path": path}))
    return out


def _halves(task):
    """The test half (uint8) and the training bytes (the last ``m`` of the first half) of a task."""
    import numpy as np

    data = Path(task.meta["path"]).read_bytes()
    split, m = task.meta["split"], task.meta["train"]
    return np.frombuffer(data[split:], dtype=np.uint8), data[split - m : split] if m else None


def run_learned_context_task(task, master_seed: int, index: int, family: int | None):
    from codebook import empirical_conditional_entropy, models

    from .sequence import run_fixed_messages

    test, train = _halves(task)
    k = task.meta["order"]
    model = models.Context(k, 256, prior=task.meta["prior"], train=train)
    emp = empirical_conditional_entropy(test, k, 256) if k < test.size else 0.0
    return run_fixed_messages([test], model, task.coders, label=task.label, p_spec=task.p_spec, q_spec=task.q_spec,
                              x=task.x, reference={"H_p": emp, "H_q": empirical_conditional_entropy(test, 0, 256)},
                              measure_names=LEARNED_MEASURES)


def run_learned_context_cm_task(task, master_seed: int, index: int, family: int | None):
    """cm codes the test half after learning the training bytes (and its primer first if
    ``meta["primer"]``): encoded, decoded and compared, the payload checked against the window
    ``excess_bounds`` around the model's own log-loss, like a stream coder's."""
    from codebook import empirical_conditional_entropy
    from codebook.contextmix import ContextMixingCoder

    from .sequence import run_fixed_messages

    test, train = _halves(task)
    code = ContextMixingCoder(prime=train, primer=task.meta["primer"])
    return run_fixed_messages([test], code, [(task.coders[0], code)], label=task.label, p_spec=task.p_spec,
                              q_spec=task.q_spec, x=task.x,
                              reference={"H_q": empirical_conditional_entropy(test, 0, 256)},
                              measure_names=LEARNED_MEASURES)


def _learned_context_description(params: dict) -> str:
    _, _, shown = _text(params)
    return f"""Real text: the second half of `{Path(shown).name}` is coded byte by byte with an adaptive order-k
context model, k = 0..6, after learning from the last m bytes of the first half (m = 0, 1000,
3000, 9000). Each context runs the sequential estimator q(s) = (n_s + α) / (n + 256 α) (theory
§h), with the Krichevsky-Trofimov α = 1/2 and with α = 1/32. Longer contexts predict better
once their counts are known, but they split the data over more contexts (up to 256^k), each
of which must be learned from few examples: *context dilution*, so the cost has a minimum
over k. With α = 1/2 a new context spends about 8 bits on each new symbol (its mass is spread
over 256 symbols) and order 1 stays best at these sizes; a small α learns sparse contexts
faster, and then more training moves the minimum to a longer context. The dashed line is the
plug-in conditional entropy of the test text itself at each order: an optimistic, in-sample
number (it falls to 0 as k grows, because a model fitted to the text has to be paid for,
which this number ignores).

The reference is cm, the context-mixing model `codebook compress` uses by default
(codebook.contextmix: for each of the 8 bits of a byte it mixes the predictions made in the
contexts of the last 0, 1, 2, 3, 4 and 6 bytes, of the current and the last two words, of the
column and of a match model, and it learns all of them as it codes). Its dotted lines are cm
*without* its built-in primer, after learning the same m training bytes and nothing else: the
like-for-like comparison, as the context models get no primer either. The second figure adds
cm *with* the primer (65 866 bytes of English and Python learned before the training bytes):
the payload `codebook compress` writes for the test half (with `--model-from TRAIN` for
m > 0). cm has no order k, so its rows have no plug-in entropy. Every coded message is decoded
and checked against the coder's exact window around the model's own log-loss (for cm,
`excess_bounds`: the payload is 0 to 2 bits, plus 2.1e-11 per decision, above Σ -log2 q over
its 8 binary decisions per byte, theory §f)."""


def learned_context_points(results) -> tuple[dict, dict]:
    """The sweep's numbers by its labels: ``{(alpha, m): [(k, bits/byte), ...]}`` of the
    context models (alpha as in the label, ``"alpha=1/2"``) and ``{(variant, m): bits/byte}``
    of cm (variant ``"cm without primer"`` or ``"cm with primer"``), m the training bytes."""
    context: dict[tuple[str, int], list] = {}
    cm: dict[tuple[str, int], float] = {}
    for r in results:
        head, train, *_ = r.label.split(", ")
        m, bits = int(train.split(" ")[1]), r.summaries[0]["bits_per_symbol"]
        if head.startswith("cm"):
            cm[(head, m)] = bits
        else:
            context.setdefault((head, m), []).append((_x(r), bits))
    return context, cm


def _learned_context_findings(results) -> list[str]:
    lines = []
    context, cm = learned_context_points(results)
    for (alpha, m), pts in context.items():
        k, bits = min(pts, key=lambda p: p[1])
        lines.append(f"{alpha}, training on {m} bytes: the cost is smallest at order {k:g} ({bits:.3f} bits/byte); "
                     f"order {pts[-1][0]:g} costs {pts[-1][1]:.3f}.")
    for m in sorted({m for _, m in cm}):
        best = min(((bits, k, alpha) for (alpha, mm), pts in context.items() if mm == m for k, bits in pts),
                   default=None)
        plain, primed = cm.get((CM_VARIANTS[0][1], m)), cm.get((CM_VARIANTS[1][1], m))
        if plain is None or best is None:
            continue
        where = "below" if plain < best[0] else "not below"
        line = (f"cm, training on {m} bytes and no primer: {plain:.3f} bits/byte, {where} every context model's "
                f"minimum {best[0]:.3f} ({best[2]}, order {best[1]:g}; cm/minimum = {plain / best[0]:.3f})")
        if primed is not None:
            line += f"; with its built-in primer first: {primed:.3f} bits/byte"
        lines.append(line + ".")
    return lines


def _learned_context_sweep():
    return SweepDef(
        "learned-context", "Context models learned on real text: bits/byte against the order k and the training data",
        "context models on text: bits/byte against order k and training, cm as the reference",
        _learned_context_description, _learned_context_tasks, lazy_figure("sequence_figures", "learned_context_figures"),
        _learned_context_findings,
        defaults={"p": None}, quick={},
        notes={"p": "the text file (default tests/data/prose.txt of the repository); its first half trains, its second "
                    "half is coded"})


# ------------------------------------------------------------------------------------ predictions

PRED_STEPS = (0, 2, 5, 10, 20, 50, 100, 300)


def _predictions_tasks(seed: int, quick: bool, params: dict) -> list:
    steps = PRED_STEPS[::2] if quick else PRED_STEPS
    return [_task(f"{s} training steps", ["arithmetic", "rans"], params["n"], 1, s, run_predictions_task,
                  "synthetic softmax classes", f"softmax regression after {s} steps", {"steps": s})
            for s in steps]


def classification_task(n_train: int, n_test: int, seed: int, d: int = 8, k: int = 6):
    """A synthetic classification task: features ~ N(0, I_d), labels drawn from
    softmax(features @ W) for a random W (Gumbel-max), and the exact Bayes rate: the mean
    entropy of the true class probabilities of the test samples (bits)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w = rng.normal(size=(d, k)) * 0.8
    x = rng.normal(size=(n_train + n_test, d))
    logits = x @ w
    y = (logits + rng.gumbel(size=logits.shape)).argmax(axis=1)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    bayes = float(np.mean(-np.sum(np.where(p > 0, p * np.log2(p), 0.0), axis=1)[n_train:]))
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], bayes


def train_softmax(x, y, k: int, steps: int, rate: float = 0.5):
    """Softmax regression by full-batch gradient descent on the mean cross-entropy (NumPy)."""
    import numpy as np

    w = np.zeros((x.shape[1], k))
    b = np.zeros(k)
    onehot = np.eye(k)[y]
    for _ in range(steps):
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / len(y)
        w -= rate * x.T @ g
        b -= rate * g.sum(axis=0)
    return w, b


def cross_entropy_nats(logits, y) -> float:
    """Mean cross-entropy loss in nats, as an ML library reports it (log-sum-exp form)."""
    import numpy as np

    z = logits - logits.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))


def run_predictions_task(task, master_seed: int, index: int, family: int | None):
    from codebook import models

    from .sequence import run_fixed_messages

    x_tr, y_tr, x_te, y_te, bayes = classification_task(5_000, task.n, master_seed)
    k = 6
    w, b = train_softmax(x_tr, y_tr, k, task.meta["steps"])
    logits = x_te @ w + b
    nats = cross_entropy_nats(logits, y_te)
    model = models.Predictions.from_logits(logits)
    result = run_fixed_messages([y_te], model, task.coders, label=task.label, p_spec=task.p_spec,
                                q_spec=task.q_spec, x=task.x,
                                reference={"H_p": bayes, "H_pq": nats / math.log(2), "H_q": math.nan},
                                measure_names=("Bayes rate (bits/label)", "test loss / ln 2 (bits/label)",
                                               "loss - Bayes rate"))
    for s in result.summaries:
        s["loss_nats"] = nats
    return result


def _predictions_description(params: dict) -> str:
    return f"""A classifier's training loss is a code length. Synthetic task: 8 Gaussian features, 6 classes,
labels drawn from the softmax of a random linear map of the features (so the best possible
loss, the Bayes rate, is known exactly). A softmax regression is trained with NumPy by
gradient descent (5000 training samples, 0 to 300 steps); at each point its mean cross-entropy loss on
n = {params["n"]} test samples is computed the way an ML library reports it, in nats. Then the
test labels are coded with the classifier's own predicted probabilities
(codebook.models.Predictions, arithmetic and rANS): the measured bits per label equal the loss
divided by ln 2, up to the coder's documented window (theory §f: the per-position
quantization costs at most -log2(1 - K/2^24) bit per label, plus a few bits per message).
Each bitstream is decoded and compared with the labels."""


def _predictions_findings(results) -> list[str]:
    lines = []
    for r in results:
        for s in r.summaries:
            lines.append(f"{r.label}: loss {s['loss_nats']:.5f} nats = {s['loss_nats'] / math.log(2):.5f} bits; "
                         f"{s['coder']} coded the labels in {s['bits_per_symbol']:.5f} bits/label "
                         f"(difference {s['bits_per_symbol'] - s['loss_nats'] / math.log(2):+.2e}).")
    return lines


def _predictions_sweep():
    return SweepDef(
        "predictions", "A classifier's cross-entropy loss is the length of its labels' code",
        "a NumPy classifier's loss in nats next to the bits/label of coding its labels",
        _predictions_description, _predictions_tasks, lazy_figure("sequence_figures", "predictions_figures"),
        _predictions_findings,
        defaults={"n": 20_000}, quick={"n": 2_000},
        notes={"n": "test samples (labels coded per point)"})


def sweeps() -> tuple:
    """The sequence sweeps as :class:`simulations.sweepdef.SweepDef` objects."""
    return tuple(make() for make in (_memory_sweep, _learned_context_sweep, _predictions_sweep))


__all__ = ["classification_task", "cross_entropy_nats", "sweeps", "train_softmax"]
