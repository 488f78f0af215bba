"""PostgreSQL's ``COPY … FROM STDIN`` text format, for a batch's rows: tab-separated, ``\\N`` is NULL, JSON
columns as JSON text, and a tab, line break or backslash in a value escaped."""

import io
import operator
import re
from collections.abc import Callable
from typing import Any

import orjson

# The columns that hold JSON documents, written as JSON text.
_JSON_COLUMNS = frozenset({"alternate_phones", "values", "errors", "changes"})
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_needs_escape = re.compile(r"[\\\t\n\r]").search


def _dumps(value: Any) -> str:
    # orjson: an order of magnitude faster than json for the three JSON documents of every entry.
    return orjson.dumps(value, default=str).decode()


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value.__class__ is str:
        return value.translate(_COPY_ESCAPES) if _needs_escape(value) else value
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _copy_json(value: Any) -> str:
    # JSON text has no raw tab or line break; only its own backslashes need doubling.
    text = _dumps(value)
    return text.replace("\\", "\\\\") if "\\" in text else text


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Stream ``rows`` into ``table`` with ``COPY … FROM STDIN`` (text format: tab-separated, ``\\N`` is NULL).

    Most lines need no escaping, so each is built plainly and checked once; only a line whose text
    holds a tab, a line break or a backslash is built again cell by cell with escapes.
    """
    converters: list[Callable[[Any], str]] = [_copy_json if c in _JSON_COLUMNS else _copy_text for c in columns]
    json_positions = [i for i, column in enumerate(columns) if column in _JSON_COLUMNS]
    values_of = operator.itemgetter(*columns)
    separators = len(columns) - 1
    lines = []
    for row in rows:
        values = list(values_of(row))
        plain = values.copy()
        for i in json_positions:
            plain[i] = _dumps(plain[i])
        line = "\t".join(["\\N" if v is None else "t" if v is True else "f" if v is False else str(v) for v in plain])
        # Every backslash must be a NULL marker's, every tab a separator.
        if line.count("\t") != separators or line.count("\\") != plain.count(None) or "\n" in line or "\r" in line:
            line = "\t".join([convert(value) for convert, value in zip(converters, values, strict=True)])
        lines.append(line)
    lines.append("")
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO("\n".join(lines)))
