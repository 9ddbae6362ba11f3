"""The engine's exceptions: one base class, a small hierarchy under it.

Every message names the file (or input) and what is wrong, so the CLI can print it as one
line and the Blender operator can show it in a report.
"""

from __future__ import annotations


class NeuroSyncError(Exception):
    """Base class of every error the engine raises on purpose."""


class AudioError(NeuroSyncError):
    """The audio input cannot be used."""


class AudioNotFoundError(AudioError):
    """The audio file does not exist."""


class EmptyAudioError(AudioError):
    """The file or buffer holds no samples."""


class NotAudioError(AudioError):
    """The data is not in an audio format that can be read."""


class TruncatedAudioError(AudioError):
    """The file ends before its header says it should."""


class InvalidSamplesError(AudioError):
    """The samples contain NaN or infinity, or the declared format is impossible."""


class AudioTooShortError(AudioError):
    """The audio is shorter than the 9 analysis frames the deltas need."""


class CheckpointError(NeuroSyncError):
    """A checkpoint is missing, corrupt, unsafe, or does not match a known architecture."""


class OptionsError(NeuroSyncError, ValueError):
    """An option value is out of range (also a ValueError, as bad values are elsewhere)."""


class CancelledError(NeuroSyncError):
    """The caller's cancel event was set; nothing was produced."""


class TakeFileError(NeuroSyncError):
    """A recorded take (a Live Link Face CSV) cannot be read: the message names file and line."""


class OutputError(NeuroSyncError):
    """An output location cannot be used (missing folder, not writable, name too long, clash)."""


class WriteError(NeuroSyncError):
    """Writing an output failed part-way (e.g. a full disk); the previous file is unchanged."""


class NonFiniteResultError(NeuroSyncError):
    """A result holds NaN or infinity; it is never written or returned."""


class BakeError(NeuroSyncError):
    """The Blender scene does not allow the work (no such strip, no shape keys, nothing mapped)."""


class KeyingError(NeuroSyncError):
    """A take cannot be written without touching the user's own animation."""


class UsageError(NeuroSyncError):
    """The headless CLI's arguments, inputs or scene are wrong: exit 2, nothing done."""


#: What a caller reports as one line instead of a traceback: the errors raised on purpose, the
#: OS's (a file that cannot be read or written) and ValueError (a bad value from a script).
REPORTED = (NeuroSyncError, OSError, ValueError)
