#!/usr/bin/env bash
# Regenerates demo/voice.ogg, the committed demo clip. Not needed at demo run time.
# Voice: Festival 2.5 with the CMU ARCTIC "slt" HTS voice (Debian: festival, festlex-cmu,
# festvox-us-slt-hts); licence notes in demo/VOICE_LICENSE.md. Encoding: sox (Debian: sox,
# libsox-fmt-base) to Ogg Vorbis, mono, 32 kHz.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/voice.ogg}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Bilabials (b, p, m) close the lips, open vowels drop the jaw, "oo"/"who" round the lips,
# "see"/"e" spread them: every main curve in the preview gets something to show.
cat > "$tmp/text.txt" <<'TXT'
Hello there! I am the NeuroSync demo face.
Watch my lips: Bob bought a big blue balloon, and my jaw opens wide.
Oh, who knew a machine could speak so smoothly? See you soon!
TXT

text2wave -eval "(voice_cmu_us_slt_arctic_hts)" "$tmp/text.txt" -o "$tmp/raw.wav"
# Half a second of silence on both ends so the face starts and ends at rest; peak at -1 dBFS.
sox "$tmp/raw.wav" -C 4 "$out" remix 1 pad 0.5 0.5 gain -n -1
soxi "$out"
