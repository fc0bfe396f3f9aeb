"""Dates as Solr reads and writes them: ISO-8601 instants in UTC and date math (NOW-1DAY, NOW/DAY).

Dates are kept as integer milliseconds since the epoch, as Solr's DatePointField does.
"""

import calendar
import datetime as dt
import re

from .errors import SolrError

_ISO = re.compile(
    r"^(?P<y>-?\d{4,})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?"
)
_MATH = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")
_UNITS = {
    "YEAR": "years",
    "YEARS": "years",
    "MONTH": "months",
    "MONTHS": "months",
    "DAY": "days",
    "DAYS": "days",
    "DATE": "days",
    "HOUR": "hours",
    "HOURS": "hours",
    "MINUTE": "minutes",
    "MINUTES": "minutes",
    "SECOND": "seconds",
    "SECONDS": "seconds",
    "MILLI": "millis",
    "MILLIS": "millis",
    "MILLISECOND": "millis",
    "MILLISECONDS": "millis",
}


def now_ms():
    return int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)


def _to_ms(value):
    return calendar.timegm(value.timetuple()) * 1000 + value.microsecond // 1000


def parse_iso(text, strict_z=True):
    """'2014-06-10T08:24:12.782Z' -> epoch milliseconds; raises SolrError if invalid."""
    m = _ISO.match(text)
    if not m or m.end() != len(text) or (strict_z and not m["tz"]):
        raise SolrError(f"Invalid Date String:'{text}'")
    try:
        value = dt.datetime(
            int(m["y"]),
            int(m["mo"]),
            int(m["d"]),
            int(m["h"] or 0),
            int(m["mi"] or 0),
            int(m["s"] or 0),
            int((m["f"] or "0").ljust(6, "0")[:6]),
        )
    except ValueError:
        raise SolrError(f"Invalid Date String:'{text}'") from None
    offset = 0
    if m["tz"] and m["tz"] != "Z":
        sign = -1 if m["tz"][0] == "-" else 1
        offset = sign * (int(m["tz"][1:3]) * 60 + int(m["tz"][4:6])) * 60_000
    return _to_ms(value) - offset


def format_ms(ms):
    """Epoch milliseconds -> Solr's output format: seconds, plus milliseconds when not zero."""
    value = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(ms))
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += ".%03d" % (value.microsecond // 1000)
    return text + "Z"


def _add_months(value, months):
    month = value.month - 1 + months
    year = value.year + month // 12
    month = month % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def _round(value, unit):
    if unit == "years":
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "months":
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "days":
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "hours":
        return value.replace(minute=0, second=0, microsecond=0)
    if unit == "minutes":
        return value.replace(second=0, microsecond=0)
    if unit == "seconds":
        return value.replace(microsecond=0)
    return value.replace(microsecond=(value.microsecond // 1000) * 1000)


def parse_date(text, now=None):
    """A date or date-math expression ('NOW-1DAY', '2024-01-01T00:00:00Z+1MONTH/DAY', 'NOW/DAY')
    -> epoch milliseconds. Raises SolrError with Solr's wording on anything else."""
    text = text.strip()
    if text.startswith("NOW"):
        base = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=now if now is not None else now_ms())
        math = text[3:]
    else:
        m = _ISO.match(text)
        if not m or not m["tz"]:
            raise SolrError(f"Invalid Date String:'{text}'")
        base = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=parse_iso(text[: m.end()]))
        math = text[m.end() :]
    pos = 0
    value = base
    while pos < len(math):
        m = _MATH.match(math, pos)
        if not m:
            raise SolrError(f"Invalid Date Math String:'{text}'")
        if m.group(4):
            unit = _UNITS.get(m.group(4))
            if unit is None:
                raise SolrError(f"Invalid Date Math String:'{text}': unknown unit {m.group(4)!r}")
            value = _round(value, unit)
        else:
            unit = _UNITS.get(m.group(3))
            if unit is None:
                raise SolrError(f"Invalid Date Math String:'{text}': unknown unit {m.group(3)!r}")
            amount = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
            try:
                if unit == "years":
                    value = _add_months(value, 12 * amount)
                elif unit == "months":
                    value = _add_months(value, amount)
                elif unit == "millis":
                    value += dt.timedelta(milliseconds=amount)
                else:
                    value += dt.timedelta(**{unit: amount})
            except (OverflowError, ValueError):
                raise SolrError(f"Invalid Date Math String:'{text}': out of range") from None
        pos = m.end()
    return _to_ms(value)
