"""Secondary motion (blinks, gaze, brows, head) and directed emotion, on the repo's own speech."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from neurosync_lipsync.core import pipeline
from neurosync_lipsync.core.audio import SourceAudio, read_audio
from neurosync_lipsync.core.checkpoint import load_checkpoint
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, EMOTION_NAMES, MODEL_FPS
from neurosync_lipsync.core.emotions import EMOTION_TABLE
from neurosync_lipsync.core.errors import OptionsError
from neurosync_lipsync.core.postprocess import ProductOptions, product_postprocess
from neurosync_lipsync.core.secondary import (
    PART_CHANNELS,
    SecondaryOptions,
    analyse,
    apply_secondary,
    fitted,
)

from ..conftest import REPO

I = {n: i for i, n in enumerate(BLENDSHAPE_NAMES)}  # noqa: E741
SPEECH = {
    "voice": REPO / "demo" / "voice.ogg",
    "speechlike": REPO / "tests" / "fixtures" / "speechlike.wav",
    "held_out": REPO / "training" / "fixtures" / "held_out_rms.wav",
}


@pytest.fixture(scope="module")
def default_model():
    return load_checkpoint(None)


@pytest.fixture(scope="module")
def takes(default_model):
    """Per speech file: (audio, raw model output, levels), computed once."""
    out = {}
    for name, path in SPEECH.items():
        audio = read_audio(path)
        raw, levels = pipeline._raw_output(audio, default_model, 8, lambda f, s: None, None)
        out[name] = (audio, raw, levels)
    return out


def secondary(take, options=None, raw=None):
    """What the pipeline does in product mode, on an already-run take."""
    options = options or ProductOptions()
    audio, model_raw, levels = take
    raw = model_raw if raw is None else raw
    values, emotions, times = product_postprocess(raw, options, levels, audio.duration)
    prosody = analyse(audio.samples, audio.rate, levels)
    out = apply_secondary(
        values, times, prosody, options.secondary, emotions=emotions, model_values=raw[:, :61] / 100
    )
    return out, values, times


def blink_events(curve: np.ndarray, fps: float) -> list[float]:
    """Closure (s, time above half its own peak) of each blink in a (N,) EyeBlink curve."""
    edges = np.diff(np.concatenate([[0], (curve > 0.1).astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [
        np.count_nonzero(curve[a:b] > 0.5 * curve[a:b].max()) / fps
        for a, b in zip(starts, ends, strict=True)
    ]


def test_same_seed_same_output_and_seeds_differ(takes):
    a, _, _ = secondary(takes["voice"])
    b, _, _ = secondary(takes["voice"])
    c, _, _ = secondary(takes["voice"], ProductOptions(secondary=SecondaryOptions(seed=7)))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_pipeline_is_deterministic(fixtures_dir):
    tiny = load_checkpoint(fixtures_dir / "tiny_v01a.pth")
    first = pipeline.generate(fixtures_dir / "speechlike.wav", model=tiny)
    second = pipeline.generate(fixtures_dir / "speechlike.wav", model=tiny)
    np.testing.assert_array_equal(first.values, second.values)


def test_blink_rate_and_closures(takes):
    """Over ten seeds of every speech fixture: 8-25 blinks a minute, each closed 50-400 ms."""
    count, seconds, closures = 0, 0.0, []
    for take in takes.values():
        for seed in range(10):
            options = ProductOptions(secondary=SecondaryOptions(seed=seed))
            out, _, _ = secondary(take, options)
            for side in ("EyeBlinkLeft", "EyeBlinkRight"):
                events = blink_events(out[:, I[side]], MODEL_FPS)
                closures += events
                count += len(events) / 2
            seconds += take[0].duration
    rate = count / seconds * 60
    assert 8 <= rate <= 25, rate
    assert 0.05 <= min(closures) and max(closures) <= 0.4, (min(closures), max(closures))


@pytest.mark.parametrize("name", list(SPEECH))
def test_brows_gaze_and_head_move(takes, name):
    out, before, _ = secondary(takes[name])
    assert np.percentile(out[:, I["BrowInnerUp"]], 95) >= 0.15
    for channel in ("LeftEyeYaw", "RightEyeYaw", "LeftEyePitch"):
        assert out[:, I[channel]].std() >= 0.02, channel
    looks = out[:, [I[n] for n in PART_CHANNELS["gaze"][:8]]]
    assert looks.std(axis=0).max() >= 0.02
    left = out[:, I["LeftEyeYaw"]] - before[:, I["LeftEyeYaw"]]
    right = out[:, I["RightEyeYaw"]] - before[:, I["RightEyeYaw"]]
    np.testing.assert_allclose(left, right, atol=1e-6)  # both eyes move together
    for channel in ("HeadYaw", "HeadPitch", "HeadRoll"):
        assert out[:, I[channel]].std() >= 0.005, channel
    mouth = [i for i, n in enumerate(BLENDSHAPE_NAMES) if n.startswith(("Jaw", "Mouth"))]
    np.testing.assert_array_equal(out[:, mouth], before[:, mouth])  # the mouth is the model's


def test_stillness_in_silence(default_model):
    """Speech, 4 s of silence, speech: the head nearly stops and the brows rest in the gap."""
    speech = read_audio(SPEECH["voice"])
    gap = np.zeros(4 * speech.rate, dtype=np.float32)
    audio = SourceAudio(np.concatenate([speech.samples, gap, speech.samples]), speech.rate, "x")
    result = pipeline.generate(audio, model=default_model)
    t = result.times
    quiet = (t > speech.duration + 1.0) & (t < speech.duration + 3.0)
    talk = (t > 1.0) & (t < speech.duration - 1.0)
    for channel in ("HeadYaw", "HeadPitch", "HeadRoll"):
        x = result.values[:, I[channel]]
        assert x[quiet].std() < 0.5 * x[talk].std(), channel
    assert result.values[quiet, I["BrowInnerUp"]].max() < 0.05


def test_animated_channels_of_a_model_are_left_alone(takes):
    """A NeuroSync-like output that blinks and turns the head itself: those stay the model's."""
    audio, raw, levels = takes["voice"]
    raw = raw.copy()
    t = np.arange(len(raw)) / MODEL_FPS
    blink = 100 * np.clip(np.sin(2 * np.pi * 0.3 * t), 0, 1) ** 20
    raw[:, I["EyeBlinkLeft"]] = raw[:, I["EyeBlinkRight"]] = blink
    raw[:, I["HeadYaw"]] = 10 * np.sin(2 * np.pi * 0.2 * t)
    raw[:, I["EyeLookInLeft"]] = raw[:, I["EyeLookOutRight"]] = 30 * (t % 3 > 1.5)
    out, before, _ = secondary((audio, raw, levels), raw=raw)
    for channel in ("EyeBlinkLeft", "EyeBlinkRight", "HeadYaw", "HeadPitch", "HeadRoll"):
        np.testing.assert_array_equal(out[:, I[channel]], before[:, I[channel]])
    for channel in PART_CHANNELS["gaze"][:8]:  # the model's own gaze ...
        np.testing.assert_array_equal(out[:, I[channel]], before[:, I[channel]])
    yaw = out[:, I["LeftEyeYaw"]] - before[:, I["LeftEyeYaw"]]
    looking = before[:, I["EyeLookInLeft"]] > 0.2  # ... turned into matching eye rotations
    resting = before[:, I["EyeLookInLeft"]] < 0.02
    assert np.all(yaw[looking] > 0.1) and np.abs(yaw[resting]).max() < 0.02
    assert np.percentile(out[:, I["BrowInnerUp"]], 95) >= 0.15  # brows were flat: filled


def test_reference_mode_has_no_secondary_motion(fixtures_dir, reference):
    options = ProductOptions(emotion="Happy", secondary=SecondaryOptions(seed=3))
    for family in ("v01a", "v2025"):
        result = pipeline.generate(
            fixtures_dir / "speechlike.wav",
            model=load_checkpoint(fixtures_dir / f"tiny_{family}.pth"),
            options=options,
            reference=True,
        )
        golden = reference[f"final_{family}"]
        np.testing.assert_allclose(result.values, golden[:, :61], atol=1e-4)
        np.testing.assert_allclose(result.emotions, golden[:, 61:], atol=1e-4)


def test_parts_switch_off(takes):
    off = SecondaryOptions(blinks=False, gaze=False, brows=False, head=False)
    out, before, _ = secondary(takes["voice"], ProductOptions(secondary=off))
    np.testing.assert_array_equal(out, before.astype(np.float32))
    only_head = SecondaryOptions(blinks=False, gaze=False, brows=False)
    out, before, _ = secondary(takes["voice"], ProductOptions(secondary=only_head))
    changed = np.flatnonzero(np.any(out != before.astype(np.float32), axis=0))
    assert {BLENDSHAPE_NAMES[i] for i in changed} == {"HeadYaw", "HeadPitch", "HeadRoll"}
    half = SecondaryOptions(strengths={"head": 0.5})
    full, _, _ = secondary(takes["voice"])
    halved, _, _ = secondary(takes["voice"], ProductOptions(secondary=half))
    added = full[:, I["HeadYaw"]] - before[:, I["HeadYaw"]]
    np.testing.assert_allclose(
        halved[:, I["HeadYaw"]] - before[:, I["HeadYaw"]], 0.5 * added, atol=1e-6
    )


def test_directed_emotion_drives_the_table(takes):
    _, raw, _ = takes["voice"]
    plain = SecondaryOptions(blinks=False, gaze=False, brows=False, head=False)
    neutral, _, _ = product_postprocess(raw, ProductOptions(secondary=plain))
    for emotion, table in EMOTION_TABLE.items():
        options = ProductOptions(emotion=emotion, emotion_intensity=0.5, secondary=plain)
        values, emotions, _ = product_postprocess(raw, options)
        assert emotions[:, EMOTION_NAMES.index(emotion)].min() == pytest.approx(
            0.5 if emotion != "Neutral" else 1.0
        )
        for channel, offset in table.items():
            lift = np.median(values[:, I[channel]] - neutral[:, I[channel]])
            assert lift > 0.5 * offset * 0.5, (emotion, channel)


def test_keyed_emotion_track_blends_between_keys(takes):
    _, raw, _ = takes["voice"]
    keys = ((2.0, "Sad", 1.0), (6.0, "Happy", 0.5))
    _, emotions, times = product_postprocess(raw, ProductOptions(emotion_keys=keys))
    sad, happy = EMOTION_NAMES.index("Sad"), EMOTION_NAMES.index("Happy")
    at = lambda s: int(np.argmin(np.abs(times - s)))  # noqa: E731
    assert emotions[at(1.0), sad] == pytest.approx(1.0)
    assert emotions[at(4.0), sad] == pytest.approx(0.5, abs=0.01)
    assert emotions[at(4.0), happy] == pytest.approx(0.25, abs=0.01)
    assert emotions[at(10.0), happy] == pytest.approx(0.5)
    np.testing.assert_allclose(emotions.sum(axis=1), 1.0, atol=1e-5)


def test_emotion_shifts_the_secondary_motion(takes):
    """Surprised (wide eyes): fewer blinks; Sad (capture: inner brow only): outer brows rest."""
    blinks = {}
    for emotion in ("Neutral", "Surprised"):
        total = 0
        for seed in range(10):
            options = ProductOptions(emotion=emotion, secondary=SecondaryOptions(seed=seed))
            out, _, _ = secondary(takes["voice"], options)
            total += len(blink_events(out[:, I["EyeBlinkLeft"]], MODEL_FPS))
        blinks[emotion] = total
    assert blinks["Surprised"] < 0.6 * blinks["Neutral"], blinks
    out, before, _ = secondary(takes["voice"], ProductOptions(emotion="Sad"))
    assert fitted.EMOTION_SHIFTS["Sad"]["brow_outer"] == 0.0
    np.testing.assert_allclose(
        out[:, I["BrowOuterUpLeft"]], before[:, I["BrowOuterUpLeft"]], atol=1e-6
    )
    assert np.percentile(out[:, I["BrowInnerUp"]] - before[:, I["BrowInnerUp"]], 95) > 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"emotion": "Bored"}, "unknown emotion 'Bored'; expected one of Angry"),
        ({"emotion": "Happy", "emotion_intensity": 1.5}, "emotion intensity must be within 0-1"),
        ({"emotion_keys": ((0.0, "Happy"),)}, "emotion key 0 must be (time, emotion, intensity)"),
        ({"emotion_keys": ((-1.0, "Happy", 1.0),)}, "emotion key 0 time must be"),
        ({"emotion_keys": ((0.0, "Sad", 2.0),)}, "emotion key 0 intensity must be within 0-1"),
        ({"emotion": "Sad", "emotion_keys": ((0.0, "Sad", 1.0),)}, "either emotion or"),
    ],
)
def test_invalid_emotion_options_are_refused(kwargs, message):
    with pytest.raises(OptionsError, match=None) as info:
        ProductOptions(**kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strengths": {"nose": 1.0}}, "unknown secondary part 'nose'"),
        ({"strengths": {"head": 2.5}}, "head strength must be within 0-2"),
        ({"seed": -1}, "seed must be within 0-4294967295"),
        ({"seed": 1.5}, "seed must be a whole number"),
    ],
)
def test_invalid_secondary_options_are_refused(kwargs, message):
    with pytest.raises(OptionsError) as info:
        SecondaryOptions(**kwargs)
    assert message in str(info.value)


def test_fitted_tables_cover_every_emotion():
    assert set(fitted.EMOTION_SHIFTS) == set(EMOTION_NAMES)
    assert all(set(v) == set(fitted.SHIFT_KEYS) for v in fitted.EMOTION_SHIFTS.values())
    assert replace(ProductOptions(), emotion="Happy").directed_keys == ((0.0, "Happy", 1.0),)
