"""Character spans an extraction step asks about many times per article (entities, names,
quotes): sorted by start with a running maximum of their ends, so whether one of them covers
a position, overlaps a range or holds a range is answered by bisection, not by a pass over
every span for every question."""
from __future__ import annotations

import bisect
import itertools


class Spans:
    def __init__(self, spans):
        spans = sorted(spans)
        self.starts = [start for start, _ in spans]
        # max_end[k]: the furthest end of the spans up to k (in start order)
        self.max_end = list(itertools.accumulate((end for _, end in spans), max))

    def covers(self, position: int) -> bool:
        """Does a span hold the character at `position` (start <= position < end)?"""
        at = bisect.bisect_right(self.starts, position)     # the spans starting at or before it
        return at > 0 and self.max_end[at - 1] > position

    def overlaps(self, start: int, end: int) -> bool:
        """Does a span share a character with start..end?"""
        before = bisect.bisect_left(self.starts, end)       # the spans starting before its end
        return before > 0 and self.max_end[before - 1] > start

    def hold(self, start: int, end: int) -> bool:
        """Does a span hold start..end?"""
        at = bisect.bisect_right(self.starts, start)        # the spans starting at or before it
        return at > 0 and self.max_end[at - 1] >= end

    def hold_longer(self, start: int, end: int) -> bool:
        """Does a longer span hold start..end?"""
        before = bisect.bisect_left(self.starts, start)
        if before and self.max_end[before - 1] >= end:      # starts before, reaches its end
            return True
        at = bisect.bisect_right(self.starts, start)        # or starts with it, ends after it
        return at > before and self.max_end[at - 1] > end
