"""The secondary layer's switches and strengths, validated at construction."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import OptionsError

PARTS = ("blinks", "gaze", "brows", "head")
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class SecondaryOptions:
    """Which secondary parts run, how strongly, and the seed that makes them repeatable.

    Attributes
    ----------
    blinks, gaze, brows, head : bool
        Each part on (default) or off.
    strengths : dict
        Part name -> 0-2 (missing: 1). Blinks: scales the blink rate; gaze, brows and head:
        scale the amplitude.
    seed : int
        0 to 2**32 - 1; the same seed, audio and options give the same motion.
    """

    blinks: bool = True
    gaze: bool = True
    brows: bool = True
    head: bool = True
    strengths: dict[str, float] = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self) -> None:
        for key, value in self.strengths.items():
            if key not in PARTS:
                raise OptionsError(
                    f"unknown secondary part {key!r}; expected one of {', '.join(PARTS)}"
                )
            if not 0.0 <= value <= 2.0:
                raise OptionsError(f"{key} strength must be within 0-2, got {value}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise OptionsError(f"seed must be a whole number, got {self.seed!r}")
        if not 0 <= self.seed <= MAX_SEED:
            raise OptionsError(f"seed must be within 0-{MAX_SEED}, got {self.seed}")

    def enabled(self, part: str) -> bool:
        return bool(getattr(self, part)) and self.strength(part) > 0

    def strength(self, part: str) -> float:
        return float(self.strengths.get(part, 1.0))

    @property
    def any_enabled(self) -> bool:
        return any(self.enabled(p) for p in PARTS)
