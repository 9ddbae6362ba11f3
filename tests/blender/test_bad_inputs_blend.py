"""Bad-input table, Blender-scene rows (issue 13): ``blender_cli.py`` refuses each in one line.

Every row runs ``python blender_cli.py`` on a fresh copy of one folder (a scene with good and bad
strips, faces, a rig, CSVs and junk files) and asserts: the exit status, a single stderr line
naming the input, no traceback, and that the folder (the input .blend included) is byte for
byte unchanged.
"""

from __future__ import annotations

import shutil

import pytest

bpy = pytest.importorskip("bpy")

from .clitools import error_lines, run, snapshot  # noqa: E402
from .conftest import add_face  # noqa: E402

B = ("--blend", "{d}/scene.blend")
BAKE = (*B, "--strip", "voice", "--object", "Face")
CSV = (*B, "--object", "Face", "--import-csv")


@pytest.fixture(scope="module")
def template(tmp_path_factory, fixtures_dir):
    """The folder every row copies."""
    folder = tmp_path_factory.mktemp("template")
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps = 24
    strips = scene.sequence_editor_create().strips
    strips.new_sound("voice", str(fixtures_dir / "speechlike.wav"), channel=1, frame_start=10)
    gone = folder / "gone.wav"
    shutil.copy(fixtures_dir / "speechlike.wav", gone)
    strips.new_sound("lost_audio", str(gone), channel=2, frame_start=10)
    strips.new_sound("Used_line", str(fixtures_dir / "speechlike.wav"), channel=4, frame_start=1)
    try:
        strips.new_effect("Color", type="COLOR", channel=3, frame_start=1, length=10)
    except TypeError:  # 4.x: an end frame instead of a length
        strips.new_effect("Color", type="COLOR", channel=3, frame_start=1, frame_end=11)
    add_face()
    add_face("Plain", keys=())
    bpy.data.objects["Plain"].shape_key_clear()
    add_face("Odd", keys=("smile", "frown"))
    add_face("Used")
    key = bpy.data.objects["Used"].data.shape_keys
    key.key_blocks["jawOpen"].keyframe_insert("value", frame=1)  # the user's own active action
    cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    scene.collection.objects.link(cam)
    rig = bpy.data.objects.new("Rig", bpy.data.armatures.new("Rig"))
    scene.collection.objects.link(rig)
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    for name in ("Head", "Spin"):
        bone = rig.data.edit_bones.new(name)
        bone.head, bone.tail = (0, 0, 1), (0, 0, 2)
    bpy.ops.object.mode_set(mode="OBJECT")
    rig.pose.bones["Spin"].rotation_mode = "AXIS_ANGLE"
    # Absolute sound paths: each row runs on a copy of the folder in another place.
    bpy.ops.wm.save_as_mainfile(filepath=str(folder / "scene.blend"), relative_remap=False)
    gone.unlink()
    head = "Timecode,BlendShapeCount,JawOpen,EyeBlinkLeft\n"
    rows = "00:00:00:00.000,2,0.1,0\n00:00:00:01.000,2,0.2,0\n"
    (folder / "take.csv").write_text(head + rows + "00:00:00:02.000,2,0.3,0\n")
    (folder / "nan.csv").write_text(head + rows + "00:00:00:02.000,2,nan,0\n")
    (folder / "noheader.csv").write_text(rows)
    (folder / "foreign.csv").write_text("Timecode,BlendShapeCount,Foo\n00:00:00:00.000,1,0\n"
                                        "00:00:00:01.000,1,1\n")  # fmt: skip
    (folder / "notes.blend").write_text("not a blend file\n")
    (folder / "empty.blend").write_bytes(b"")
    data = (folder / "scene.blend").read_bytes()
    (folder / "cut.blend").write_bytes(data[: len(data) // 3])
    (folder / "garbage.pth").write_bytes(b"\x80\x02not a checkpoint")
    (folder / "folder").mkdir()
    (folder / "folder.blend").mkdir()
    return folder


LONG = "x" * 300 + ".blend"
ROWS = [
    # (id, args, exit status, text the one stderr line must contain)
    ("blend-missing", ("--blend", "{d}/nope.blend", "--all"), 2, "nope.blend: no such .blend file"),
    ("blend-folder", ("--blend", "{d}/folder", "--all"), 2, "folder: a folder"),
    ("blend-not-blend", ("--blend", "{d}/notes.blend", "--all"), 2, "not a .blend file"),
    ("blend-empty", ("--blend", "{d}/empty.blend", "--all"), 2, "not a .blend file"),
    ("blend-cut", ("--blend", "{d}/cut.blend", "--all"), 2, "Blender cannot open it"),
    ("scene-unknown", (*B, "--scene", "Nope", "--all"), 2, "no scene named 'Nope'"),
    (
        "strip-unknown",
        (*B, "--strip", "nope", "--object", "Face"),
        2,
        "no sound strip named 'nope'",
    ),
    ("strip-not-sound", (*B, "--strip", "Color", "--object", "Face"), 2, "no sound strip named"),
    ("strip-audio-gone", (*B, "--strip", "lost_audio", "--object", "Face"), 2, "gone.wav does not"),
    ("object-unknown", (*B, "--strip", "voice", "--object", "Nobody"), 2, "no object named"),
    ("object-camera", (*B, "--strip", "voice", "--object", "Cam"), 2, "'Cam' is a camera, not a"),
    ("object-no-keys", (*B, "--strip", "voice", "--object", "Plain"), 2, "has no shape keys"),
    ("object-unmapped", (*B, "--strip", "voice", "--object", "Odd"), 2, "none of its 2 shape keys"),
    ("preset-unknown", (*BAKE, "--preset", "maya"), 2, "--preset 'maya': unknown naming preset"),
    ("preset-mismatch", (*BAKE, "--preset", "cc3"), 2, "match an ARKit name (preset cc3)"),
    (
        "mode-action-taken",
        (*B, "--strip", "voice", "--object", "Used", "--mode", "action"),
        2,
        "already use action",
    ),  # fmt: skip
    (
        "all-no-face-named",
        (*B, "--all", "--object", "Face"),
        2,
        "no sound strip pairs with a face: 'voice': its name",
    ),
    ("all-object-no-keys", (*B, "--all", "--object", "Plain"), 2, "has no shape keys"),
    (
        "all-mode-action-taken",
        (*B, "--all", "--strip", "Used_line", "--mode", "action"),
        2,
        "already use action",
    ),  # fmt: skip
    ("strip-only", (*B, "--strip", "voice"), 2, "give --strip and --object"),
    ("nothing-asked", B, 2, "give --strip and --object, or --all"),
    ("unknown-option", (*BAKE, "--frobnicate"), 2, "unrecognized arguments: --frobnicate"),
    ("mode-bogus", (*BAKE, "--mode", "bogus"), 2, "argument --mode: invalid choice: 'bogus'"),
    ("strength-nan", (*BAKE, "--emotion-strength", "nan"), 2, "invalid finite_number value"),
    ("strength-word", (*BAKE, "--emotion-strength", "lots"), 2, "invalid finite_number value"),
    ("strength-range", (*BAKE, "--emotion-strength", "5"), 2, "must be within 0-2"),
    ("output-no-folder", (*BAKE, "--output", "{d}/no/out.blend"), 2, "does not exist"),
    ("output-is-folder", (*BAKE, "--output", "{d}/folder.blend"), 2, "folder.blend: is a folder"),
    ("output-suffix", (*BAKE, "--output", "{d}/out.txt"), 2, "must end in .blend"),
    ("output-too-long", (*BAKE, "--output", "{d}/" + LONG), 2, "longer than 255 bytes"),
    ("model-missing", (*BAKE, "--model", "{d}/none.pth"), 2, "none.pth: no such file"),
    ("model-folder", (*BAKE, "--model", "{d}/folder"), 2, "folder: a folder"),
    ("model-garbage", (*BAKE, "--model", "{d}/garbage.pth"), 2, "garbage.pth"),
    ("gltf-suffix", (*BAKE, "--export-gltf", "{d}/out.gltf"), 2, "must end in .glb"),
    ("gltf-no-folder", (*BAKE, "--export-gltf", "{d}/no/out.glb"), 2, "does not exist"),
    ("csv-missing", (*CSV, "{d}/none.csv"), 2, "none.csv: no such file"),
    ("csv-folder", (*CSV, "{d}/folder"), 2, "folder: a folder"),
    ("csv-no-header", (*CSV, "{d}/noheader.csv"), 2, "must start with 'Timecode,BlendShapeCount,'"),
    ("csv-nan", (*CSV, "{d}/nan.csv"), 2, "line 4, column JawOpen: not finite"),
    ("csv-foreign", (*CSV, "{d}/foreign.csv"), 2, "no column names one of the 52 ARKit"),
    ("csv-with-all", (*B, "--all", "--import-csv", "{d}/take.csv"), 2, "takes --object, not"),
    ("csv-with-model", (*CSV, "{d}/take.csv", "--model", "{d}/garbage.pth"), 2, "runs no model"),
    ("csv-no-object", (*B, "--import-csv", "{d}/take.csv"), 2, "--import-csv needs --object"),
    ("csv-onto-plain", (*B, "--object", "Plain", "--import-csv", "{d}/take.csv"), 2, "no shape"),
    ("frame-without-csv", (*BAKE, "--frame", "3"), 2, "--frame goes with --import-csv"),
    ("frame-range", (*CSV, "{d}/take.csv", "--frame", "99999999"), 2, "--frame 99999999: must"),
    ("frame-word", (*CSV, "{d}/take.csv", "--frame", "ten"), 2, "invalid int value: 'ten'"),
    ("armature-alone", (*CSV, "{d}/take.csv", "--armature", "Rig"), 2, "go together"),
    (
        "armature-not",
        (*CSV, "{d}/take.csv", "--armature", "Face", "--head-bone", "Head"),
        2,
        "no armature object named 'Face'",
    ),  # fmt: skip
    (
        "bone-unknown",
        (*CSV, "{d}/take.csv", "--armature", "Rig", "--head-bone", "Neck"),
        2,
        "armature 'Rig' has no bone named 'Neck'",
    ),  # fmt: skip
    (
        "bone-axis-angle",
        (*CSV, "{d}/take.csv", "--armature", "Rig", "--head-bone", "Spin"),
        2,
        "rotates by axis-angle",
    ),  # fmt: skip
    (
        "bake-eye-unknown",
        (*BAKE, "--armature", "Rig", "--left-eye-bone", "EyeX"),
        2,
        "left eye bone: armature 'Rig' has no bone named 'EyeX'",
    ),  # fmt: skip
    ("bake-eye-alone", (*BAKE, "--right-eye-bone", "Head"), 2, "--armature and --left-eye"),
    ("eyes-with-csv", (*CSV, "{d}/take.csv", "--left-eye-bone", "Head"), 2, "are for bakes"),
]


@pytest.mark.parametrize(
    ("args", "code", "message"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_bad_input_refused_in_one_line_and_nothing_changes(template, tmp_path, args, code, message):
    folder = tmp_path / "work"
    shutil.copytree(template, folder)
    before = snapshot(folder)
    proc = run(*(a.replace("{d}", str(folder)) for a in args))
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    assert snapshot(folder) == before  # input .blend untouched, nothing written or left behind


def test_the_table_is_big_enough():
    assert len(ROWS) >= 20 and len({r[0] for r in ROWS}) == len(ROWS)
