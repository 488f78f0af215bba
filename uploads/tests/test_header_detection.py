"""The header row is found below the title lines core-banking reports print above it, or taken where a column
profile says it is; the lines above it are reported, never imported."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest

from customers.models import Customer
from uploads.models import UploadStatus
from uploads.readers import HEADER_SEARCH_LINES, UnreadableFile, open_table
from uploads.tests.factories import csv_bytes, upload_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def read(content: bytes, *, name: str = "customers.csv", header_line: int | None = None):
    given = {} if header_line is None else {"header_line": header_line}  # as the pipeline calls it, by default
    with open_table(io.BytesIO(content), name=name, **given) as table:
        return table, list(table.rows())


def workbook_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_bytes(rows, name: str) -> bytes:
    return workbook_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)


REPORT = [
    ["ABC Finance Ltd"],
    ["Overdue report as on 01/11/2026"],
    [],
    ["Branch:", "Pune", None, "Product:", "Two-wheeler"],
    ["Sr No", "Customer Name", "Mobile No.", "Loan Account No", "Overdue Amount"],
    [1, "Asha Rao", "9876543210", "LN-1001", "12500"],
    [2, "Ravi Kumar", "9876543211", "LN-1002", "8000"],
]


# --- finding the header ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx"])
def test_the_header_is_found_below_the_title_lines_and_rows_keep_their_spreadsheet_numbers(name):
    table, rows = read(file_bytes(REPORT, name), name=name)

    assert table.headers == ["Sr No", "Customer Name", "Mobile No.", "Loan Account No", "Overdue Amount"]
    assert table.header_line == 5
    assert table.title_lines == [
        (1, "ABC Finance Ltd"),
        (2, "Overdue report as on 01/11/2026"),
        (4, "Branch: | Pune | Product: | Two-wheeler"),
    ]
    assert [number for number, _values in rows] == [6, 7]
    assert rows[0][1][1:3] == ["Asha Rao", "9876543210"]


def test_a_core_banking_export_with_semicolons_and_titles_without_any_is_split_on_its_semicolons():
    # The first line has no separator at all, so it cannot tell which one the table uses.
    content = (
        b"XYZ Co-operative Bank\r\nOverdue report as on 01/11/2026, 10:30\r\n\r\n"
        b"Name;Mobile;Loan Id;Amount\r\nAsha Rao;9876543210;LN1;1,00,000\r\nRavi;9876543211;LN2;2,500\r\n"
    )

    table, rows = read(content)

    assert table.delimiter == ";"
    assert table.headers == ["Name", "Mobile", "Loan Id", "Amount"]
    assert table.header_line == 4
    assert table.title_lines == [(1, "XYZ Co-operative Bank"), (2, "Overdue report as on 01/11/2026, 10:30")]
    assert rows == [(5, ["Asha Rao", "9876543210", "LN1", "1,00,000"]), (6, ["Ravi", "9876543211", "LN2", "2,500"])]


def test_the_saved_report_fixture_reads_as_its_table():
    """An overdue report saved from Excel as CSV: title lines padded with separators, blank rows in the data."""
    table, rows = read((FIXTURES / "overdue_report_with_titles.csv").read_bytes())

    assert table.delimiter == ";"
    assert table.header_line == 6
    assert table.title_lines == [
        (1, "ABC Finance Ltd"),
        (2, "Overdue report as on 01/11/2026"),
        (4, "Branch: Pune (all products)"),
    ]
    assert [(number, values[1]) for number, values in rows] == [(7, "Asha Rao"), (8, "Ravi Kumar"), (10, "Meena Iyer")]
    assert table.blank_rows == [9]
    assert table.blank_row_count == 1


def test_a_workbook_title_holding_a_date_cell_shows_the_date():
    rows = [
        ["Overdue report as on", datetime.datetime(2026, 11, 1), "printed", datetime.datetime(2026, 11, 2, 9, 30)],
        ["Customer Name", "Mobile No."],
        ["Asha Rao", 9876543210],
    ]

    table, data = read(workbook_bytes(rows), name="report.xlsx")

    assert table.title_lines == [(1, "Overdue report as on | 2026-11-01 | printed | 2026-11-02 09:30:00")]
    assert data == [(3, ["Asha Rao", 9876543210])]


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx"])
def test_one_cell_naming_the_phone_column_makes_the_header(name):
    rows = [["Collections"], ["Sl", "Mobile No.", "Remarks"], [1, "9876543210", "call after 5"]]

    table, _rows = read(file_bytes(rows, name), name=name)

    assert table.header_line == 2
    assert table.headers == ["Sl", "Mobile No.", "Remarks"]


def test_one_cell_naming_a_column_other_than_the_phone_is_not_enough():
    # "Customer" is a header for the name, but a title line holding it alone is no header.
    content = csv_bytes(
        [["Customer"], ["Report for branch 12"], ["Customer Name", "Loan Account No", "Mobile"], ["Asha", "LN1", "1"]]
    )

    table, rows = read(content)

    assert table.header_line == 3
    assert table.title_lines == [(1, "Customer"), (2, "Report for branch 12")]
    assert rows == [(4, ["Asha", "LN1", "1"])]


@pytest.mark.parametrize("name", ["customers.csv", "customers.xlsx"])
def test_a_file_whose_lines_name_no_known_column_keeps_its_first_non_blank_line_as_the_header(name):
    rows = [[], ["Borrower", "Contact"], ["Asha", "9876543210"]]

    table, data = read(file_bytes(rows, name), name=name)

    assert table.headers == ["Borrower", "Contact"]
    assert table.header_line == 2
    assert table.title_lines == []
    assert [number for number, _values in data] == [3]


def test_the_header_is_looked_for_only_among_the_first_non_blank_lines():
    titles = [[f"Note {i}"] for i in range(HEADER_SEARCH_LINES)]
    late = csv_bytes([*titles, ["Customer Name", "Mobile No."], ["Asha", "9876543210"]])
    in_time = csv_bytes([*titles[1:], ["Customer Name", "Mobile No."], ["Asha", "9876543210"]])

    table, _rows = read(late)
    assert table.header_line == 1  # not found: the first non-blank line, as before
    assert table.title_lines == []

    table, _rows = read(in_time)
    assert table.header_line == HEADER_SEARCH_LINES
    assert len(table.title_lines) == HEADER_SEARCH_LINES - 1


def test_a_title_line_is_kept_short():
    content = csv_bytes([["x" * 2_000], ["name", "phone"], ["Asha", "9876543210"]])

    table, _rows = read(content)

    number, text = table.title_lines[0]
    assert number == 1
    assert len(text) == 500
    assert text.endswith("…")


# --- a header row given by number ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx"])
def test_a_header_row_given_by_number_is_taken_even_when_it_names_no_known_column(name):
    rows = [["Bank of Somewhere"], ["Name", "Mobile"], ["Col A", "Col B"], ["Asha", "9876543210"]]

    table, data = read(file_bytes(rows, name), name=name, header_line=3)

    assert table.headers == ["Col A", "Col B"]
    assert table.header_line == 3
    assert table.title_lines == [(1, "Bank of Somewhere"), (2, "Name | Mobile")]
    assert data == [(4, ["Asha", "9876543210"])]


def test_a_header_row_given_by_number_sets_the_separator_from_that_row():
    content = b"Report, November\r\n\r\nName;Mobile;Amount\r\nAsha;9876543210;1,00,000\r\n"

    table, rows = read(content, header_line=3)

    assert table.delimiter == ";"
    assert rows == [(4, ["Asha", "9876543210", "1,00,000"])]


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx"])
def test_a_header_row_given_by_number_that_is_blank_is_refused(name):
    rows = [["Name", "Mobile"], [], ["Asha", "9876543210"]]

    with pytest.raises(UnreadableFile) as exc:
        read(file_bytes(rows, name), name=name, header_line=2)

    assert exc.value.message.startswith("Row 2 was given as the header row, but it is blank.")


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx"])
def test_a_header_row_given_by_number_past_the_end_of_the_file_is_refused(name):
    rows = [["Name", "Mobile"], ["Asha", "9876543210"]]

    with pytest.raises(UnreadableFile) as exc:
        read(file_bytes(rows, name), name=name, header_line=7)

    assert exc.value.message.startswith("Row 7 was given as the header row, but the file ends at row 2.")


def test_a_header_row_number_past_what_an_upload_may_hold_is_refused_before_reading(settings):
    settings.UPLOAD_MAX_ROWS = 100

    with pytest.raises(UnreadableFile) as exc:
        read(csv_bytes([["Name", "Mobile"]]), header_line=101)

    assert "an upload has at most 100 rows" in exc.value.message


@pytest.mark.parametrize(("header_line", "error"), [(0, ValueError), (-1, ValueError), ("2", TypeError)])
def test_a_header_row_number_is_counted_from_one(header_line, error):
    with pytest.raises(error):
        read(csv_bytes([["Name", "Mobile"]]), header_line=header_line)


# --- through the pipeline --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx"])
def test_an_upload_with_title_lines_imports_only_the_table_below_them(db, name):
    upload = upload_bytes(file_bytes(REPORT, name), name=name)

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    assert upload.created_count == 2
    assert sorted(Customer.objects.values_list("full_name", flat=True)) == ["Asha Rao", "Ravi Kumar"]
    assert sorted(upload.entries.values_list("row_number", flat=True)) == [6, 7]
