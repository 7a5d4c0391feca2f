"""The planning time axis: day numbers, buckets, bucket labels and lead-time offsets.

Every date inside the MRP engine is an int64 day number (days since 1970-01-01), so whole
tables of dates are shifted, floored and compared with numpy integer arithmetic.

Buckets (DOMAIN §3):
* ``day``   — one bucket per calendar day (the default);
* ``week``  — ISO weeks starting on Monday;
* ``month`` — calendar months;
* ``period`` — textbook integer periods. The schema reads an integer p typed into a date
  column as the Excel serial date p (1899-12-30 + p days), so serial day p *is* period p
  and a lead time of L days is L periods. Buckets are labelled "P1", "P2", …

The first bucket starts on the planning date (a week bucket containing the planning date
is cut to start there), and anything dated earlier is moved onto the planning date.

Working calendar: when the calendar lists non-working days, lead times count working
days: the release is the working day that lies L working days before the last working
day on or before the need date (a lead time of 0 keeps the need date). Days the
calendar does not list are working days, so a calendar of holidays and weekends is enough.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

BUCKETS = ("day", "week", "month", "period")
EXCEL_EPOCH = np.datetime64("1899-12-30", "D").astype(np.int64)  # serial day 0
PERIOD_ONE = int(EXCEL_EPOCH) + 1
NO_DAY = np.iinfo(np.int64).min  # a missing date (NaT) as a day number
_MONDAY_SHIFT = 3  # 1970-01-01 was a Thursday: (day + 3) % 7 == 0 on Mondays


def day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates (datetime64, NaT allowed) as int64 day numbers; NaT becomes NO_DAY."""
    array = np.asarray(values)
    if array.dtype.kind != "M":
        array = pd.to_datetime(pd.Series(array), errors="coerce").to_numpy()
    days = array.astype("datetime64[D]")
    out = days.astype(np.int64)
    out[np.isnat(days)] = NO_DAY
    return out


def to_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers back to datetime64[ns] (the schema's date type)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")


def day_of(value: date) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


@dataclass(frozen=True)
class TimeAxis:
    """Bucket rule, planning day and working calendar of one planning run."""

    bucket: str
    start: int
    nonworking: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def floor(self, days: np.ndarray) -> np.ndarray:
        """Start day of the bucket holding each day; days before the start go to the start."""
        d = np.maximum(np.asarray(days, dtype=np.int64), self.start)
        if self.bucket == "week":
            d = d - (d + _MONDAY_SHIFT) % 7
        elif self.bucket == "month":
            d = d.astype("datetime64[D]").astype("datetime64[M]").astype(
                "datetime64[D]").astype(np.int64)
        return np.maximum(d, self.start)

    def grid(self, last: int) -> np.ndarray:
        """Every bucket start from the planning day up to the bucket holding `last`."""
        days = np.arange(self.start, max(last, self.start) + 1, dtype=np.int64)
        floors = self.floor(days)
        return floors[np.concatenate(([True], floors[1:] != floors[:-1]))]

    def labels(self, bucket_days: np.ndarray) -> np.ndarray:
        """Display label of each bucket start ("2026-03-02", "2026-W10", "2026-03", "P3")."""
        days = np.asarray(bucket_days, dtype=np.int64)
        if days.size == 0:
            return np.zeros(0, dtype=object)
        low, high = int(days.min()), int(days.max())
        if high - low < days.size:  # a table over the day range beats sorting the days
            return self._texts(np.arange(low, high + 1))[days - low]
        unique, inverse = np.unique(days, return_inverse=True)
        return self._texts(unique)[inverse.reshape(-1)]

    def _texts(self, days: np.ndarray) -> np.ndarray:
        if self.bucket == "period":
            return np.array([f"P{d - EXCEL_EPOCH}" for d in days], dtype=object)
        stamps = pd.DatetimeIndex(to_dates(days))
        if self.bucket == "week":
            iso = stamps.isocalendar()
            return np.array([f"{y}-W{w:02d}" for y, w in zip(iso.year, iso.week, strict=True)],
                            dtype=object)
        fmt = "%Y-%m" if self.bucket == "month" else "%Y-%m-%d"
        return np.asarray(stamps.strftime(fmt), dtype=object)

    def offset(self, days: np.ndarray, lead: np.ndarray) -> np.ndarray:
        """`days` minus whole-day lead times (working days when a calendar is in use)."""
        days = np.asarray(days, dtype=np.int64)
        lead = np.asarray(lead, dtype=np.int64)
        if self.nonworking.size == 0 or days.size == 0:
            return days - lead
        low = int(days.min() - lead.max() - self.nonworking.size - 1)
        span = np.arange(low, int(days.max()) + 1, dtype=np.int64)
        working = span[~np.isin(span, self.nonworking)]
        rank = np.searchsorted(working, days, side="right") - 1
        # no lead time: released on the need day itself, even a day off (a phantom's)
        return np.where(lead > 0, working[rank - lead], days)


def whole_days(lead: np.ndarray) -> np.ndarray:
    """Lead times rounded up to whole days; float noise just above an integer is ignored."""
    return np.ceil(np.round(np.asarray(lead, dtype=float), 6)).astype(np.int64)


def make_axis(bucket: str, planning: date | None, calendar: pd.DataFrame | None,
              use_calendar: bool) -> TimeAxis:
    """The axis for a run; `planning` None means period 1 (only sensible for "period")."""
    start = PERIOD_ONE if planning is None else day_of(planning)
    nonworking = np.zeros(0, dtype=np.int64)
    if use_calendar and bucket != "period" and calendar is not None and len(calendar):
        off = calendar.loc[~calendar["working"].astype(bool), "calendar_date"]
        days = day_numbers(off)
        nonworking = np.sort(days[days != NO_DAY])
    return TimeAxis(bucket, start, nonworking)
