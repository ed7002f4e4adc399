"""JSON bytes as Sai Keeper's Go server writes them.

Two quirks of gqlgen + encoding/json reach the wire and clients must cope with them:

- gqlgen marshals `Float` with `fmt.Sprintf("%g", f)`: whole floats lose their decimal point
  (`leverage: 10`, not `10.0`) and large or tiny ones switch to exponent form
  (`2.37778835e+12`, `1e-05`). A client that expects a JSON float type gets an int sometimes.
- encoding/json escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings (`\\u003c`).

`Int` is Go's 64-bit `int`, written as plain digits.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_ESCAPE_TABLE = str.maketrans(_HTML_ESCAPES)


def go_float(f: float) -> str:
    """`fmt.Sprintf("%g", f)` for a finite float64, as gqlgen's MarshalFloat writes it.

    Shortest round-trip digits (Python's repr has the same digits as Go's), exponent form when
    the decimal exponent is < -4 or >= 6 (Go fixes the %g threshold at 6 for shortest output).
    """
    if math.isnan(f) or math.isinf(f):
        raise ValueError("cannot marshal infinite no NaN float values")
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    sign = "-" if f < 0 else ""
    tup = Decimal(repr(abs(f))).normalize().as_tuple()
    digits = "".join(str(d) for d in tup.digits)
    nd = len(digits)
    dp = nd + int(tup.exponent)  # position of the decimal point relative to the digit string
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if nd > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= nd:
        return f"{sign}{digits}{'0' * (dp - nd)}"
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def _encode(obj: Any, out: list[str]) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, int):
        out.append(str(obj))
    elif isinstance(obj, float):
        out.append(go_float(obj))
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, Mapping):
        out.append("{")
        first = True
        for key, value in obj.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(value, out)
        out.append("}")
    elif isinstance(obj, Sequence):
        out.append("[")
        for i, value in enumerate(obj):
            if i:
                out.append(",")
            _encode(value, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


def dumps(obj: Any) -> str:
    """Compact JSON text, Go style (see the module docstring)."""
    out: list[str] = []
    _encode(obj, out)
    # The escaped characters can only occur inside JSON strings, so a global pass is exact.
    return "".join(out).translate(_ESCAPE_TABLE)


def dumpb(obj: Any) -> bytes:
    return dumps(obj).encode("utf-8")
