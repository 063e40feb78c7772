"""Progress of a streamed guide: which section (and step) the model is writing.

Reads the answer as it arrives, in the seed's Markdown layout or as the JSON of
:mod:`howto_ls.structured`, and says ``Writing Description``, ``Writing Execution Steps: step 2``
and so on through a :data:`howto_ls.backends.base.Progress` callback.
"""

from __future__ import annotations

import re
import time

from howto_ls.backends.base import Progress
from howto_ls.guide import SECTIONS

_STEP = re.compile(r"^\s*(?:\*\*|__)?(?:step\s+)?(\d{1,3})[.):]", re.IGNORECASE)


class StreamProgress:
    """Turns a streamed answer's advance into short messages for ``progress``, at most one per
    ``interval`` seconds (a forced one excepted), never the same twice in a row.

    Set ``json_mode`` when the answer is asked for as JSON by the guide's schema: the section
    is then read from the last key written.
    """

    def __init__(self, progress: Progress | None, interval: float) -> None:
        self._progress = progress
        self._interval = interval
        self._last_time = float("-inf")
        self._last_message = ""
        self._line = ""
        self._section = ""
        self._step = 0
        self._text: list[str] = []
        self.json_mode = False

    def say(self, message: str, force: bool = False) -> None:
        """Pass ``message`` on unless it repeats or comes too soon after the last one."""
        if self._progress is None or message == self._last_message:
            return
        now = time.monotonic()
        if not force and now - self._last_time < self._interval:
            return
        self._last_time, self._last_message = now, message
        self._progress(message)

    def advance(self, text: str) -> None:
        """Account for ``text`` arriving; report the section and step being written."""
        if self._progress is None:
            return
        if self.json_mode and not "".join(self._text).strip() and text.strip():
            # A server that ignores the schema answers in Markdown: read it as Markdown.
            self.json_mode = text.lstrip().startswith(("{", "`"))
        if self.json_mode:
            self._text.append(text)
            self._look_at_json()
        else:
            lines = (self._line + text).split("\n")
            self._line = lines.pop()[-200:]
            for line in [*lines, self._line]:
                self._look_at(line)
        if self._section == "Execution Steps" and self._step:
            self.say(f"Writing Execution Steps: step {self._step}")
        elif self._section:
            self.say(f"Writing {self._section}")
        else:
            self.say("Writing the guide")

    def _look_at_json(self) -> None:
        """The section (and step) a JSON answer has reached: its last key, its steps' strings."""
        if time.monotonic() - self._last_time < self._interval:
            return  # said nothing new anyway: skip the scan
        text = "".join(self._text)
        self._text = [text]
        keys = list(_JSON_KEY.finditer(text))
        if not keys:
            return
        last = keys[-1]
        self._section = _JSON_SECTIONS[last.group(1)]
        if self._section == "Execution Steps":
            self._step = max(1, _strings_in_array(text, last.end()))

    def _look_at(self, line: str) -> None:
        name = line.strip().strip("#*_:").strip()
        if name in SECTIONS:
            self._section, self._step = name, 0
            return
        if self._section == "Execution Steps":
            match = _STEP.match(line)
            if match:
                self._step = max(self._step, int(match.group(1)))


_JSON_KEY = re.compile(r'"(description|steps|example)"\s*:')
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?')


def _strings_in_array(text: str, start: int) -> int:
    """How many strings of the JSON array at ``text[start:]`` have begun (the last may be open)."""
    count = 0
    for match in _JSON_STRING.finditer(text, start):
        count += 1
        if not match.group().endswith('"') or len(match.group()) < 2:
            break  # still being written
        if text[match.end() :].lstrip().startswith("]"):
            break
    return count


_JSON_SECTIONS = {
    "description": "Description",
    "steps": "Execution Steps",
    "example": "Usage Example",
}
