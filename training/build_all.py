"""Regenerate the corpus, retrain the default model from scratch and evaluate it.

    sh training/setup.sh                      # once: TTS engines, pocketsphinx, test audio
    .venv/bin/python -m training.build_all    # data (~24 min) + training (~36 min) + evaluation,
                                              # measured on a shared 2-core machine

Data batches and the training state are reused when present (delete training/data and
training/runs to start over); the run is seeded, so an interrupted build resumes where it
stopped. Writes core/default_model/neurosync_default.pth and its .json sidecar.
"""

from __future__ import annotations

import argparse
import time

from . import build_data, evaluate, train

CLIPS, STEPS = 3000, 2400


def main() -> None:
    p = argparse.ArgumentParser(
        description="regenerate data, retrain and evaluate the default model"
    )
    p.add_argument("--clips", type=int, default=CLIPS)
    p.add_argument("--steps", type=int, default=STEPS)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    start = time.time()
    build_data.main(["--clips", str(a.clips), "--workers", str(a.workers)])
    data_done = time.time()
    train.main(["--steps", str(a.steps)])
    train_done = time.time()
    evaluate.main([])
    print(
        f"wall: data {(data_done - start) / 60:.1f} min, "
        f"training {(train_done - data_done) / 60:.1f} min, "
        f"evaluation {(time.time() - train_done) / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
