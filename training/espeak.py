"""espeak-ng through libespeak-ng (ctypes): audio plus phoneme events with their start times.

The command-line tool cannot print phone timings without mbrola, so the library is driven
directly with ``espeakINITIALIZE_PHONEME_EVENTS``. One synthesiser per process.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

_EVENT_PHONEME, _EVENT_END, _EVENT_TERMINATED = 7, 5, 6
_RATE, _PITCH, _RANGE = 1, 3, 4


class _Id(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _Id),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class Espeak:
    """Synthesise text to (samples float32, rate, [(start_s, mnemonic), ...])."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        self.lib = ctypes.CDLL(name)
        self.rate = self.lib.espeak_Initialize(2, 0, None, 1)  # synchronous, phoneme events
        if self.rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[float, str]] = []
        self._cb = _CALLBACK(self._callback)
        self.lib.espeak_SetSynthCallback(self._cb)
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]

    def _callback(self, wav, n, events) -> int:
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).astype(np.float32) / 32768.0)
        i = 0
        while events[i].type != 0:
            ev = events[i]
            if ev.type == _EVENT_PHONEME:
                self._events.append(
                    (ev.audio_position / 1000.0, ev.id.string.decode("ascii", "replace"))
                )
            i += 1
        return 0

    def synth(
        self, text: str, voice: str, *, rate_wpm: int = 175, pitch: int = 50, pitch_range: int = 50
    ):
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"espeak-ng: unknown voice {voice!r}")
        self.lib.espeak_SetParameter(_RATE, int(rate_wpm), 0)
        self.lib.espeak_SetParameter(_PITCH, int(pitch), 0)
        self.lib.espeak_SetParameter(_RANGE, int(pitch_range), 0)
        self._chunks, self._events = [], []
        data = text.encode("utf-8") + b"\0"
        self.lib.espeak_Synth(data, len(data), 0, 1, 0, 0x1000, None, None)  # ENDPAUSE
        self.lib.espeak_Synchronize()
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        return audio, self.rate, list(self._events)


if __name__ == "__main__":
    e = Espeak()
    a, r, ev = e.synth("Hello there, the quick brown fox jumps over Bob's map.", "en-us+f3")
    print(r, len(a) / r, ev)
