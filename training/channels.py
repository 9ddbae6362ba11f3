"""Blendshape columns and channel groups shared by the training modules."""

from __future__ import annotations

import numpy as np
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES
from neurosync_lipsync.core.postprocess import region_of

#: Blendshape name -> column of the (T, 61) curves.
CH = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}
JAW = CH["JawOpen"]
CLOSE = CH["MouthClose"]
#: (61,) bool: the jaw, mouth and tongue channels (core's "mouth" gain region), which the loss
#: weighs up and the evaluation reports.
MOUTH = np.array([region_of(name) == "mouth" for name in BLENDSHAPE_NAMES])
