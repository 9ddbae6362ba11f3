"""Live Link Face CSV takes: timecodes, rate, header mapping, resampling and refusals."""

from __future__ import annotations

import numpy as np
import pytest
from neurosync_lipsync.core.constants import NUM_ARKIT_CHANNELS
from neurosync_lipsync.core.errors import TakeFileError
from neurosync_lipsync.core.export import livelink_timecode
from neurosync_lipsync.core.livelink_csv import (
    CSVTake,
    parse_timecode,
    read_livelink_csv,
)
from neurosync_lipsync.core.naming import CHANNELS

from tests.livelink_takes import write_app_csv

JAW = CHANNELS.index("jawOpen")


def test_parse_timecode_fraction_of_a_frame():
    assert parse_timecode("01:02:03:30.500", 60) == pytest.approx(3723 + 30.5 / 60)
    assert parse_timecode("00:00:01:12", 24) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="not a timecode"):
        parse_timecode("1.5", 60)


@pytest.mark.parametrize("rate", [24, 30, 60])
def test_app_csv_times_come_from_the_timecode(tmp_path, rate):
    path = tmp_path / "take.csv"
    t, jaw, head = write_app_csv(path, rate=rate, capture_hz=59.94 if rate == 60 else rate * 0.999)
    take = read_livelink_csv(path)
    assert take.rate == rate
    # Timecodes keep 1/1000 of a timecode frame: times are exact to that.
    assert np.abs(take.times - t).max() < 1.5 / (1000 * rate)
    assert take.names[0] == "EyeBlinkLeft" and len(take.names) == 61
    assert np.allclose(take.values[:, take.names.index("JawOpen")], jaw, atol=1e-6)
    assert take.duration == pytest.approx(t[-1], abs=1e-3)


def test_resample_follows_the_row_times_not_the_row_numbers(tmp_path):
    t, jaw, _ = write_app_csv(tmp_path / "take.csv", seconds=6.0, capture_hz=59.94)
    take = read_livelink_csv(tmp_path / "take.csv")
    fps = 30000 / 1001
    curves = take.channel_curves(fps)
    frames = np.arange(take.frame_count(fps)) / fps
    expected = np.interp(frames, t, jaw)
    assert np.abs(curves[JAW] - expected).max() < 2e-3
    # Taking rows as exactly 60/s would drift: 6 s at 59.94 rows/s is 6 ms off by the end.
    assert take.frame_count(fps) == int(t[-1] * fps + 1e-6) + 1
    assert set(curves) == set(range(NUM_ARKIT_CHANNELS))


def test_head_columns_in_radians(tmp_path):
    t, _, head = write_app_csv(tmp_path / "take.csv")
    take = read_livelink_csv(tmp_path / "take.csv")
    got = take.head(24.0)
    grid = np.arange(take.frame_count(24.0)) / 24.0
    assert got.shape == (len(grid), 3)
    assert np.abs(got[:, 0] - np.interp(grid, t, head[:, 0])).max() < 1e-3


def test_our_own_csv_reads_back(tmp_path):
    """``neurosync infer -o x.csv`` output: BlendshapeCount, camelCase names, then emotions."""
    names = [*CHANNELS, "Angry", "Happy"]
    rows = np.random.default_rng(1).uniform(0, 1, (90, len(names)))
    path = tmp_path / "ours.csv"
    with open(path, "w") as fh:
        fh.write("Timecode,BlendshapeCount," + ",".join(names) + "\n")
        for i, row in enumerate(rows):
            code = livelink_timecode(i / 60, 60)
            fh.write(f"{code},{len(names)}," + ",".join(f"{v:.6f}" for v in row) + "\n")
    take = read_livelink_csv(path)
    assert take.mapping().preset == "arkit" and take.mapping().matched_count == 52
    assert np.allclose(take.times, np.arange(90) / 60, atol=1e-5)
    assert np.allclose(take.channel_curves(60.0)[JAW], rows[:, JAW], atol=1e-5)


def test_crossing_midnight_keeps_time_increasing(tmp_path):
    t, _, _ = write_app_csv(tmp_path / "take.csv", seconds=2.0, start=86400 - 1.0)
    take = read_livelink_csv(tmp_path / "take.csv")
    assert take.duration == pytest.approx(t[-1], abs=1e-3)


def test_columns_need_an_arkit_name(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "Timecode,BlendShapeCount,Foo,Bar\n00:00:00:00.000,2,0,0\n00:00:00:01.000,2,1,1\n"
    )
    take = read_livelink_csv(path)
    with pytest.raises(TakeFileError, match="no column names one of the 52 ARKit"):
        take.channel_curves(24.0)


GOOD_HEADER = "Timecode,BlendShapeCount,JawOpen,EyeBlinkLeft\n"
GOOD_ROW = "00:00:00:{ff:02d}.000,2,0.5,0.1\n"


def _two_rows():
    return GOOD_ROW.format(ff=0) + GOOD_ROW.format(ff=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("\n\n", "empty file"),
        (
            "Time,Count,JawOpen\n00:00:00:00.000,1,0\n",
            "must start with 'Timecode,BlendShapeCount,'",
        ),
        ("Timecode,BlendShapeCount\n", "must start with"),
        (GOOD_HEADER, "needs at least 2 data rows, has 0"),
        (GOOD_HEADER + GOOD_ROW.format(ff=0), "needs at least 2 data rows, has 1"),
        (GOOD_HEADER + _two_rows() + "00:00:00:02.000,2,0.5\n", "line 4 has 3 cells"),
        (GOOD_HEADER + "12.5,2,0.5,0.1\n" + _two_rows(), "line 2: '12.5' is not a timecode"),
        (GOOD_HEADER + _two_rows() + "00:00:00:03.000,2,abc,0\n", "line 4, column JawOpen: not a"),
        (
            GOOD_HEADER + _two_rows() + "00:00:00:03.000,2,0,nan\n",
            "column EyeBlinkLeft: not finite",
        ),
        (GOOD_HEADER + _two_rows() + "00:00:00:03.000,2,inf,0\n", "column JawOpen: not finite"),
        (GOOD_HEADER + _two_rows() + GOOD_ROW.format(ff=1), "line 4: timecode does not increase"),
        ("Timecode,BlendShapeCount,JawOpen,JawOpen\n" + _two_rows(), "names column(s) twice"),
        (GOOD_HEADER + _two_rows() + "00:00:00:250.000,2,0,0\n", "frame field 250 is not below"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(TakeFileError, match=None) as info:
        read_livelink_csv(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_not_a_file(tmp_path):
    with pytest.raises(TakeFileError, match="no such CSV file"):
        read_livelink_csv(tmp_path / "missing.csv")
    with pytest.raises(TakeFileError, match="not a regular file"):
        read_livelink_csv(tmp_path)
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(TakeFileError, match="not a text CSV"):
        read_livelink_csv(tmp_path / "bin.csv")


def test_trailing_comma_of_some_exporters_is_accepted(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Timecode,BlendShapeCount,JawOpen,\n00:00:00:00.000,1,0.25,\n00:00:00:01.000,1,0.75,\n"
    )
    take = read_livelink_csv(path)
    assert isinstance(take, CSVTake) and take.names == ("JawOpen",)
    assert take.values[:, 0].tolist() == [0.25, 0.75]
