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
mkdir -p training/data/sdist
# The sdist (not the wheel) holds the LibriVox and "cards" test recordings with transcripts.
[ -f training/data/sdist/pocketsphinx-5.1.1.tar.gz ] || \
    "$PY" -m pip download -q --no-deps --no-binary pocketsphinx pocketsphinx==5.1.1 -d training/data/sdist
echo "training tools ready"
