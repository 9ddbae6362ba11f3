"""Blender's own limits that the bake layer checks before asking Blender."""

from __future__ import annotations

#: Blender's limit on ID and track names, in UTF-8 bytes.
NAME_BYTES = 63

#: Blender's frame limits (MINAFRAME, MAXFRAME): where a take may start.
FRAME_RANGE = (-1048574, 1048574)
