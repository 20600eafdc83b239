"""Monte Carlo in bounded memory: a simulation drawn again chunk by chunk (few draws held, small
chunks of evaluation) gives exactly the numbers of one that holds every draw in one chunk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpitree_widget.analysis import simulate as sim_module
from kpitree_widget.synthetic import synthetic_tree

KINDS = [("normal", 1.0, 0.1), ("uniform", 0.8, 1.2), ("triangular", 0.7, 1.0, 1.4),
         ("lognormal", 0.0, 0.1), ("beta", 20, 20), np.linspace(0.5, 1.5, 17)]


def run(monkeypatch, tree, dists, *, small: bool, **kwargs):
    """``tree.simulate`` with every draw held in one chunk, or with almost nothing held and
    chunks of a few hundred draws."""
    with monkeypatch.context() as patch:
        patch.setattr(sim_module, "HELD_NUMBERS", 500 if small else 10**12)
        patch.setattr(sim_module, "CHUNK_NUMBERS", 20_000 if small else 10**12)
        sim = tree.simulate(dists, **kwargs)
    draws = sim._samples.draws
    if small:  # the small budget really drew chunks again
        assert draws.replays and draws.rows < sim.n
    else:
        assert not draws.replays and draws.rows == sim.n
    return sim


def inputs_of(tree):
    return [m for m, *_ in tree.outline() if tree.metrics[m].is_input]


@pytest.mark.parametrize("size, periods, seed", [(30, 0, 1), (120, 6, 2), (300, 0, 3)])
def test_chunked_simulation_equals_one_chunk(monkeypatch, size, periods, seed):
    tree = synthetic_tree(size, periods=periods, seed=seed)
    dists = {m: KINDS[i % len(KINDS)] for i, m in enumerate(inputs_of(tree))}
    computed = [m for m in tree.metrics if not tree.metrics[m].is_input]
    keep = [tree.root, *computed[1:4], inputs_of(tree)[0]]
    options = {"n": 2_001, "seed": seed, "relative": True, "metrics": keep}
    one = run(monkeypatch, tree, dists, small=False, **options)
    chunked = run(monkeypatch, tree, dists, small=True, **options)
    quantiles = (0.05, 0.1, 0.5, 0.9, 0.95)
    pd.testing.assert_frame_equal(chunked.describe(quantiles), one.describe(quantiles),
                                  check_exact=True)
    pd.testing.assert_frame_equal(chunked.draws, one.draws, check_exact=True)
    for m in keep[1:4]:  # percentiles of metrics below the root
        pd.testing.assert_frame_equal(chunked.quantiles(m), one.quantiles(m), check_exact=True)
    if periods:
        middle = tree.periods[periods // 2]
        pd.testing.assert_frame_equal(chunked.at(middle).summary, one.at(middle).summary,
                                      check_exact=True)


def test_generated_trees_with_gaps_and_absolute_draws(monkeypatch, make_tree):
    for seed in range(4):
        tree = make_tree(40, seed=seed)
        inputs = inputs_of(tree)
        dists = {m: KINDS[(i + seed) % len(KINDS)] for i, m in enumerate(inputs)}
        options = {"n": 1_500, "seed": seed, "metrics": list(tree.metrics)[:5],
                   "period": tree.periods[0] if tree.periods else None}
        one = run(monkeypatch, tree, dists, small=False, **options)
        chunked = run(monkeypatch, tree, dists, small=True, **options)
        pd.testing.assert_frame_equal(chunked.summary, one.summary, check_exact=True)
        for m in options["metrics"]:
            assert np.array_equal(chunked.values(m), one.values(m), equal_nan=True)


def test_every_distribution_draws_the_same_numbers_in_chunks(monkeypatch):
    tree = synthetic_tree(60, periods=4, seed=5)
    inputs = inputs_of(tree)
    for kind in KINDS:
        dists = {m: kind for m in inputs[:8]}
        one = run(monkeypatch, tree, dists, small=False, n=3_001, seed=11, relative=True)
        chunked = run(monkeypatch, tree, dists, small=True, n=3_001, seed=11, relative=True)
        for m in [tree.root, *inputs[:8]]:
            assert np.array_equal(chunked.values(m), one.values(m)), (kind, m)


def test_the_draws_are_what_the_seed_gives(monkeypatch):
    # one call per input in outline order, as numpy draws them: chunking changes nothing
    tree = synthetic_tree(50, seed=6)
    inputs = inputs_of(tree)
    dists = {m: ("normal", 2.0, 0.5) for m in inputs}
    sim = run(monkeypatch, tree, dists, small=True, n=1_000, seed=3)
    rng = np.random.default_rng(3)
    for m in inputs:
        assert np.array_equal(sim.values(m), rng.normal(2.0, 0.5, size=1_000)), m


def test_a_generator_given_as_seed_moves_on_as_by_one_chunk(monkeypatch):
    tree = synthetic_tree(50, seed=7)
    dists = {m: ("uniform", 0.9, 1.1) for m in inputs_of(tree)}
    gen_one, gen_chunked = np.random.default_rng(9), np.random.default_rng(9)
    one = run(monkeypatch, tree, dists, small=False, n=800, seed=gen_one, relative=True)
    chunked = run(monkeypatch, tree, dists, small=True, n=800, seed=gen_chunked, relative=True)
    assert np.array_equal(chunked.values(), one.values())
    assert gen_chunked.random() == gen_one.random()


def test_arrays_used_as_they_are_and_scipy_like_objects_are_held(monkeypatch):
    class Shifted:
        """A distribution object with ``rvs``, as scipy.stats gives."""

        def rvs(self, size, random_state):
            return 1.0 + random_state.standard_normal(size) / 20

    tree = synthetic_tree(40, seed=8)
    inputs = inputs_of(tree)
    given = np.linspace(0.9, 1.1, 900)
    dists = {inputs[0]: given, inputs[1]: Shifted(), **{m: ("normal", 1, 0.1)
                                                        for m in inputs[2:]}}
    one = run(monkeypatch, tree, dists, small=False, n=900, seed=1, relative=True)
    chunked = run(monkeypatch, tree, dists, small=True, n=900, seed=1, relative=True)
    held = chunked._samples.draws.held
    assert inputs[0] in held and inputs[1] in held
    pd.testing.assert_frame_equal(chunked.summary, one.summary, check_exact=True)
    plan = tree.get_target(inputs[0])
    assert np.allclose(chunked.values(inputs[0]), given * plan)


def test_bad_draws_are_refused_in_chunks_too(monkeypatch):
    tree = synthetic_tree(30, seed=9)
    inputs = inputs_of(tree)
    tree.set_target(inputs[-1], None)
    dists = {m: ("normal", 1, 0.1) for m in inputs}
    with monkeypatch.context() as patch:
        patch.setattr(sim_module, "HELD_NUMBERS", 100)
        with pytest.raises(sim_module.KPITreeError,
                           match=rf"simulate.{inputs[-1]}: relative draws need a plan target"):
            tree.simulate(dists, n=1_000, relative=True)
