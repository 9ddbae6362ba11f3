"""Prompt sentences: English prose harvested offline from the Python standard library's
docstrings, plus templated conversational lines.

Docstrings give thousands of varied, grammatical sentences without any download; the templates
add first/second-person speech, questions and short replies that documentation lacks. The
harvest depends on the Python version and on what importing modules does, so its result is kept
in ``prompts.txt`` (one sentence a line) and the corpus is built from that file;
``python -m training.texts`` harvests again and rewrites it.
"""

from __future__ import annotations

import random
import re
import sys
import warnings
from pathlib import Path

PROMPTS = Path(__file__).with_name("prompts.txt")

_WORD = re.compile(r"^[A-Za-z][a-z]*(?:'[a-z]+)?[,.;:!?]?$")
_SKIP_MODULES = ("test", "idlelib", "lib2to3", "tkinter", "turtledemo", "antigravity", "this")

_SUBJECTS = [
    "I",
    "You",
    "We",
    "They",
    "My friend",
    "Your sister",
    "The teacher",
    "Everybody",
    "Nobody",
    "Mom",
    "The pilot",
    "Our neighbour",
    "The baby",
    "Peter",
    "Mary",
    "Bob",
]
_VERBS = [
    "really love",
    "never liked",
    "bought",
    "found",
    "lost",
    "painted",
    "pushed",
    "moved",
    "opened",
    "watched",
    "remember",
    "forgot",
    "borrowed",
    "fixed",
    "broke",
    "wanted",
]
_OBJECTS = [
    "the blue boat",
    "my phone",
    "a big map",
    "the pumpkin pie",
    "five apples",
    "the old piano",
    "a warm blanket",
    "the movie",
    "your umbrella",
    "the bright moon",
    "a puppy",
    "the market",
    "my bike",
    "some bread and butter",
    "the whole thing",
    "a beautiful poem",
    "the purple bottle",
    "the map of Boston",
    "the jazz album",
]
_TAILS = [
    "yesterday",
    "last week",
    "this morning",
    "again",
    "for me",
    "by mistake",
    "in the middle of the night",
    "without thinking",
    "at the beach",
    "maybe",
    "",
    "",
]
_LINES = [
    "Oh my goodness, that was amazing!",
    "Wait, what did you just say?",
    "Hmm, let me think about it.",
    "Okay, sounds good to me.",
    "No way, are you serious?",
    "Please pass me the pepper.",
    "Thank you so much for coming.",
    "Well, I suppose we could try.",
    "Hey, how are you doing today?",
    "Maybe we should move on.",
    "Bye bye, see you tomorrow.",
    "Why would anybody do that?",
    "Yes, absolutely, I agree.",
    "Good morning everyone!",
    "Where are my shoes?",
    "I'm not sure about that.",
    "Could you help me with this?",
    "Be back in five minutes.",
]


def _docstring_sentences() -> list[str]:
    out: set[str] = set()
    warnings.simplefilter("ignore")
    for name in sorted(sys.stdlib_module_names):
        if name.startswith(("_", *_SKIP_MODULES)):
            continue
        try:
            module = __import__(name)
        except BaseException:  # noqa: BLE001 - some stdlib modules refuse to import; skip them
            continue
        docs = [module.__doc__ or ""]
        for attr in dir(module):
            obj = getattr(module, attr, None)
            doc = getattr(obj, "__doc__", None)
            if isinstance(doc, str) and getattr(obj, "__module__", None) == name:
                docs.append(doc)
        for doc in docs:
            text = " ".join(doc.split())
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                words = sentence.split()
                if 4 <= len(words) <= 22 and all(_WORD.match(w) for w in words):
                    if sentence[-1] in ".!?":
                        out.add(sentence)
    return sorted(out)


def _templated(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = [
            rng.choice(_SUBJECTS),
            rng.choice(_VERBS),
            rng.choice(_OBJECTS),
            rng.choice(_TAILS),
        ]
        s = " ".join(words).strip()
        out.append(s + rng.choice([".", ".", "!", "?"]))
    return out + _LINES


def harvest(n_templated: int = 600) -> list[str]:
    """Docstring sentences and templated lines, sorted and unique."""
    return sorted(set(_docstring_sentences() + _templated(random.Random(0), n_templated)))


def sentences(seed: int = 0) -> list[str]:
    """The prompt sentences of ``prompts.txt``, shuffled deterministically by ``seed``."""
    items = sorted(set(PROMPTS.read_text(encoding="utf-8").splitlines()) - {""})
    random.Random(seed).shuffle(items)
    return items


if __name__ == "__main__":
    lines = harvest()
    PROMPTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} sentences -> {PROMPTS}")
