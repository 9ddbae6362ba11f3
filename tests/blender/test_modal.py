"""The modal path (invoke -> worker thread -> timer polls -> apply), driven by hand.

Background Blender never runs modal handlers (INVOKE_DEFAULT runs execute there), so these tests
call invoke/modal on a stand-in operator with a stand-in window manager and events.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import job as jobs  # noqa: E402
from neurosync_lipsync.operators.generate import LIPSYNC_OT_generate as OT  # noqa: E402


class FakeWM:
    def __init__(self):
        self.lipsync_run = SimpleNamespace(running=False, progress=0.0, stage="", message="")
        self.windows = []
        self.timers = 0
        self.handlers = []

    def event_timer_add(self, step, window=None):
        self.timers += 1
        return object()

    def event_timer_remove(self, timer):
        self.timers -= 1

    def modal_handler_add(self, op):
        self.handlers.append(op)


def fake_operator(model, **props):
    reports = []
    op = SimpleNamespace(strip="voice", object="Face", model=model, **props)
    op.report = lambda kind, text: reports.append((set(kind).pop(), text))
    for name in ("modal", "_finish", "_stop", "invoke"):
        setattr(op, name, getattr(OT, name).__get__(op))
    return op, reports


def run_modal(op, ctx, *, escape_after=None, limit=120.0):
    """Send TIMER events (and one ESC) until the operator finishes; return its result."""
    start, seen_thread = time.monotonic(), set()
    while time.monotonic() - start < limit:
        seen_thread.add(threading.current_thread().name)
        if escape_after is not None and time.monotonic() - start > escape_after:
            op.modal(ctx, SimpleNamespace(type="ESC", value="PRESS"))
            escape_after = None
        result = op.modal(ctx, SimpleNamespace(type="TIMER", value="NOTHING"))
        if result != {"PASS_THROUGH"}:
            assert seen_thread == {"MainThread"}
            return result
        time.sleep(0.05)
    raise AssertionError("modal operator did not finish")


@pytest.fixture
def ctx(scene):
    return SimpleNamespace(
        scene=scene, window_manager=FakeWM(), window=None, preferences=bpy.context.preferences
    )


def test_invoke_runs_in_background_and_writes_once(ctx, tiny_model):
    op, reports = fake_operator(tiny_model)
    assert op.invoke(ctx, None) == {"RUNNING_MODAL"}
    assert ctx.window_manager.lipsync_run.running and jobs.current is op._job
    assert len(bpy.data.actions) == 0  # nothing is written while the worker runs
    assert run_modal(op, ctx) == {"FINISHED"}
    actions = sorted(a.name for a in bpy.data.actions)
    assert actions == ["LipSync Base - Face", "LipSync voice - Face"]  # the take and its base
    run = ctx.window_manager.lipsync_run
    assert not run.running and ctx.window_manager.timers == 0 and jobs.current is None
    assert ("INFO", "Lip sync: wrote 'LipSync voice - Face'") in reports


def test_escape_cancels_and_writes_nothing(ctx, tiny_model):
    op, reports = fake_operator(tiny_model)
    op.invoke(ctx, None)
    assert run_modal(op, ctx, escape_after=0.0) == {"CANCELLED"}
    assert len(bpy.data.actions) == 0
    assert ctx.window_manager.timers == 0 and not ctx.window_manager.lipsync_run.running
    assert reports[-1] == ("INFO", "Lip sync cancelled; nothing was changed")


def test_worker_error_is_reported_and_writes_nothing(ctx, tmp_path):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"\x00" * 64)
    op, reports = fake_operator(str(bad))
    op.invoke(ctx, None)
    assert run_modal(op, ctx) == {"CANCELLED"}
    assert len(bpy.data.actions) == 0
    assert reports[-1][0] == "ERROR" and "bad.pth" in reports[-1][1]
