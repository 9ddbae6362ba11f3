"""Corpus bookkeeping in training/build_data.py: recipes, resuming, and the planned batch set."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training import build_data


def write_batch(path, recipe=None, jobs=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = {} if recipe is None else {"recipe": recipe}
    extra |= {} if jobs is None else {"jobs": jobs}
    np.savez(path, features=np.zeros((2, 78)), lengths=np.array([2]), meta=json.dumps([]), **extra)


def test_recipe_is_a_stable_short_hash():
    assert build_data.recipe() == build_data.recipe()
    assert len(build_data.recipe()) == 12


def test_jobs_hash_depends_on_the_plan():
    small, large = build_data.plan("train", 60, 0), build_data.plan("train", 120, 0)
    assert build_data.jobs_hash(small[0]) == build_data.jobs_hash(
        build_data.plan("train", 60, 0)[0]
    )
    assert build_data.jobs_hash(small[0]) != build_data.jobs_hash(large[0])
    assert build_data.jobs_hash(small[0]) != build_data.jobs_hash(
        build_data.plan("train", 60, 1)[0]
    )


def test_batch_recipe_reads_the_recorded_recipe(tmp_path):
    write_batch(tmp_path / "new.npz", "abc123")
    write_batch(tmp_path / "old.npz")
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    assert build_data.batch_recipe(tmp_path / "new.npz") == "abc123"
    assert build_data.batch_recipe(tmp_path / "old.npz") is None
    assert build_data.batch_recipe(tmp_path / "broken.npz") is None


NEGATIVE = {"voice": "negative", "seed": 1, "speed": 1.0, "intensity": 1.0, "texts": []}


def test_a_batch_of_the_same_jobs_and_recipe_is_not_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setattr(build_data, "DATA", tmp_path)
    path = tmp_path / "train" / "batch_00003.npz"
    batch = [{"voice": "flite-slt", "seed": 5}]
    write_batch(path, build_data.recipe(), build_data.jobs_hash(batch))
    before = path.stat().st_mtime_ns

    def must_not_synthesise(batch):
        raise AssertionError("a current batch was rebuilt")

    monkeypatch.setattr(build_data, "_synthesise", must_not_synthesise)
    assert build_data.process_batch(("train", 3, batch)) == (3, 0.0)
    assert path.stat().st_mtime_ns == before


@pytest.mark.parametrize(
    "recipe, jobs",
    [("0ld0ld0ld0ld", "current"), ("current", "0th3r0th3r00"), (None, None)],
    ids=["other recipe", "other jobs", "unstamped"],
)
def test_a_stale_batch_is_rebuilt(tmp_path, monkeypatch, recipe, jobs):
    monkeypatch.setattr(build_data, "DATA", tmp_path)
    path = tmp_path / "train" / "batch_00000.npz"
    recipe = build_data.recipe() if recipe == "current" else recipe
    jobs = build_data.jobs_hash([NEGATIVE]) if jobs == "current" else jobs
    write_batch(path, recipe, jobs)
    assert not build_data.is_current(path, [NEGATIVE])
    index, seconds = build_data.process_batch(("train", 0, [NEGATIVE]))
    assert index == 0 and seconds > 0
    assert build_data.is_current(path, [NEGATIVE])
    with np.load(path) as d:
        assert d["features"].shape[1] == 78 and not d["targets"].any()  # noise: neutral face


def test_files_outside_the_plan_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(build_data, "DATA", tmp_path)
    for split, index in (("train", 0), ("train", 7), ("heldout", 0), ("heldout", 2)):
        write_batch(tmp_path / split / f"batch_{index:05d}.npz", "x")
    jobs = [("train", 0, []), ("heldout", 0, [])]
    assert build_data.remove_unplanned(jobs) == 2
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.npz"))
    assert left == ["heldout/batch_00000.npz", "train/batch_00000.npz"]


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_plan_is_deterministic(split):
    assert build_data.plan(split, 60, 0) == build_data.plan(split, 60, 0)


def test_held_out_sentences_are_never_in_training():
    def texts(split):
        return {
            t for batch in build_data.plan(split, 300, 0) for job in batch for t in job["texts"]
        }

    assert texts("heldout") and texts("train")
    assert not texts("heldout") & texts("train")


def test_prompts_are_unique_sentences():
    lines = build_data.sentences(0)
    assert len(lines) > 2000 and len(set(lines)) == len(lines)
    assert all(line[-1] in ".!?" for line in lines)
