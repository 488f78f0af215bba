"""What every reader gives back, a ``Table``, and the one error it raises, ``UnreadableFile``.

Every failure a clerk can fix becomes ``UnreadableFile`` with a message saying what to do.
"""

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field

from voiceassist.common.exceptions import ApplicationError

# Blank rows and title lines listed at most, each; the count of blank rows is always complete.
MAX_LISTED_ROWS = 1_000

EMPTY_MESSAGE = (
    "The file is empty: no row has any content. Upload a file whose first row names the columns "
    "(for example name, phone, loan id, amount) and whose next rows hold one customer each."
)


class UnreadableFile(ApplicationError):
    """The uploaded file cannot be read at all; the message says what the clerk should do about it."""

    code = "unreadable_file"


@dataclass
class Table:
    """An opened customer file: its header row and a way to walk its data rows, whatever the format.

    ``header_line`` is the header's row number and ``title_lines`` the non-blank lines above it, as
    ``(row number, cells joined with " | ")``. ``blank_rows`` (the first ``MAX_LISTED_ROWS``) and
    ``blank_row_count`` are the blank rows between the header and the last data row, filled in as ``rows()``
    walks the file.
    """

    headers: list[str]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1
    title_lines: list[tuple[int, str]] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)
    blank_row_count: int = 0
    # Yields every row after the header, ``(number, values)``, with ``None`` for the values of a blank row.
    _read_rows: Callable[[], Iterator[tuple[int, list[object] | None]]] | None = field(
        default=None, repr=False, compare=False
    )

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """Yield ``(row_number, values)`` for each non-blank data row, numbered as Excel shows them.

        Each call starts again from the first data row, and lists the blank rows afresh; use one iteration at a
        time, inside ``open_table``.
        """
        return self._data_rows()

    def _data_rows(self) -> Iterator[tuple[int, list[object]]]:
        # Blank rows wait until a data row follows them: those at the end of a file (a sheet formatted down to
        # row 1,048,576) are not gaps in the data and are not listed.
        listed = self.blank_rows = []
        self.blank_row_count = 0
        if self._read_rows is None:
            return
        waiting: list[int] = []
        waiting_count = 0
        with closing(self._read_rows()) as records:
            for number, values in records:
                if values is None:
                    if len(listed) + waiting_count < MAX_LISTED_ROWS:
                        waiting.append(number)
                    waiting_count += 1
                    continue
                if waiting_count:
                    listed.extend(waiting)
                    self.blank_row_count += waiting_count
                    waiting.clear()
                    waiting_count = 0
                yield number, values
