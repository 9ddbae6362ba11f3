"""Shape-key naming presets, auto-detection and the unmatched report (pure Python)."""

from __future__ import annotations

import pytest
from neurosync_lipsync.core import naming
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES
from neurosync_lipsync.core.naming import CHANNELS, PRESET_IDS, PRESETS, map_names, normalize


def preset_keys(pid: str) -> list[str]:
    return [key for keys in PRESETS[pid].targets for key in keys]


def test_channels_are_the_52_arkit_keys_in_livelink_order():
    assert len(CHANNELS) == 52
    assert [c[0].upper() + c[1:] for c in CHANNELS] == list(BLENDSHAPE_NAMES[:52])
    assert CHANNELS[17] == "jawOpen" and CHANNELS[-1] == "tongueOut"


@pytest.mark.parametrize("pid", PRESET_IDS)
def test_every_preset_names_all_52_channels_with_distinct_keys(pid):
    preset = PRESETS[pid]
    assert len(preset.targets) == 52 and all(preset.targets)
    keys = preset_keys(pid)
    assert len({normalize(k) for k in keys}) == len(keys)


@pytest.mark.parametrize("pid", PRESET_IDS)
def test_each_preset_maps_its_own_names_fully(pid):
    extra = ["Basis_copy", "viseme_aa", "viseme_PP"] if pid == "rpm" else ["SomethingElse"]
    mapping = map_names(preset_keys(pid) + extra, pid)
    assert mapping.matched_count == 52 and mapping.unmatched == ()
    assert mapping.targets == PRESETS[pid].targets


@pytest.mark.parametrize("pid", PRESET_IDS)
def test_auto_detects_each_preset(pid):
    extra = ["viseme_sil", "viseme_aa", "mouthOpen"] if pid == "rpm" else []
    mapping = map_names(preset_keys(pid) + extra)
    assert mapping.preset == pid
    assert mapping.matched_count == 52


def test_examples_of_preset_names():
    assert PRESETS["apple_lr"].targets[0] == ("eyeBlink_L",)
    assert PRESETS["apple_lr"].targets[CHANNELS.index("jawLeft")] == ("jawLeft",)
    assert PRESETS["cc3"].targets[CHANNELS.index("browInnerUp")] == ("A01_Brow_Inner_Up",)
    assert PRESETS["cc3"].targets[CHANNELS.index("jawOpen")] == ("A25_Jaw_Open",)
    assert PRESETS["cc3"].targets[CHANNELS.index("tongueOut")] == ("A52_Tongue_Out",)
    stretch = PRESETS["cc3"].targets[CHANNELS.index("mouthStretchRight")]
    assert stretch == ("A51_Mouth_Stretch_Right",)
    assert PRESETS["livelink"].targets[CHANNELS.index("jawOpen")] == ("JawOpen",)


def test_matching_ignores_case_underscores_and_namespace():
    keys = ["JAW_OPEN", "eye-blink left", "blendShape1.mouthClose", "Face:cheekPuff", "Key.001"]
    mapping = map_names(keys, "arkit")
    by_channel = dict(zip(CHANNELS, mapping.targets, strict=True))
    assert by_channel["jawOpen"] == ("JAW_OPEN",)
    assert by_channel["eyeBlinkLeft"] == ("eye-blink left",)
    assert by_channel["mouthClose"] == ("blendShape1.mouthClose",)
    assert by_channel["cheekPuff"] == ("Face:cheekPuff",)
    assert mapping.matched_count == 4


def test_one_channel_drives_several_keys_in_cc4_extended():
    mapping = map_names(preset_keys("cc4_extended"))
    pucker = mapping.targets[CHANNELS.index("mouthPucker")]
    assert pucker == (
        "Mouth_Pucker_Up_L",
        "Mouth_Pucker_Up_R",
        "Mouth_Pucker_Down_L",
        "Mouth_Pucker_Down_R",
    )
    assert mapping.key_count > 52
    channels = [i for i, _ in mapping.pairs()]
    assert channels.count(CHANNELS.index("mouthPucker")) == 4


def test_cc4_standard_is_not_mistaken_for_extended():
    assert map_names(preset_keys("cc4_standard")).preset == "cc4_standard"


def test_unmatched_are_reported_never_guessed():
    keys = [k for k in preset_keys("arkit") if k not in ("tongueOut", "cheekPuff")]
    keys += ["tongue_out_v2", "cheekPuffed"]  # near misses stay unmatched
    mapping = map_names(keys)
    assert mapping.preset == "arkit"
    assert mapping.unmatched == ("cheekPuff", "tongueOut")
    assert "50/52" in mapping.summary() and "tongueOut" in mapping.summary()


def test_empty_and_unknown():
    mapping = map_names([])
    assert mapping.matched_count == 0 and len(mapping.unmatched) == 52
    with pytest.raises(ValueError, match="unknown naming preset"):
        map_names(["jawOpen"], "maya")


def test_livelink_and_arkit_told_apart_by_spelling():
    assert map_names(preset_keys("livelink")).preset == "livelink"
    assert map_names(preset_keys("arkit")).preset == "arkit"


def test_naming_module_needs_no_bpy():
    assert "bpy" not in naming.__dict__
