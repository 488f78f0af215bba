"""What one file may hold, and the damage a file can do: workbooks that unpack to gigabytes, stray NUL bytes,
quotes never closed, giant cells; and files read through Django's storage API, never a path."""

import io
import struct
import zipfile
from contextlib import contextmanager

import openpyxl
import pytest

from customers.models import Customer
from uploads.models import RowOutcome, UploadStatus
from uploads.readers import UnreadableFile, csv_reader, limits, open_table, xlsx_reader
from uploads.tests.factories import csv_bytes, upload_bytes


@contextmanager
def opened(path, name=None):
    with path.open("rb") as file, open_table(file, name=name or path.name) as table:
        yield table


def read_all(path, name=None):
    with opened(path, name) as table:
        return table, list(table.rows())


def refusal(path, name=None) -> str:
    with pytest.raises(UnreadableFile) as exc, opened(path, name) as table:
        list(table.rows())
    return exc.value.message


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def workbook_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_workbook(tmp_path, rows, name="customers.xlsx"):
    return write(tmp_path, name, workbook_bytes(rows))


def customer_rows(count):
    return [["name", "phone"]] + [[f"Customer {i}", f"98{i:08d}"] for i in range(count)]


@pytest.fixture
def nothing_unpacked(monkeypatch):
    """Fail the test if any part of a workbook is inflated or handed to openpyxl."""
    real_open = zipfile.ZipFile.open

    def excel_reader(*args, **kwargs):
        raise AssertionError("the workbook was handed to openpyxl")

    def open_part(self, name, mode="r", *args, **kwargs):
        assert mode != "r", f"{name} was unpacked"
        return real_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(xlsx_reader, "ExcelReader", excel_reader)
    monkeypatch.setattr(zipfile.ZipFile, "open", open_part)


# --- 1. workbooks that unpack to far more than they weigh ----------------------------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """The incident: a workbook of about 1 MB whose first sheet unpacks to 420 MB of empty rows."""
    path = tmp_path_factory.mktemp("bomb") / "customers.xlsx"
    template = zipfile.ZipFile(io.BytesIO(workbook_bytes([["name", "phone"]])))
    rows = b"<row><c t='n'><v>0</v></c></row>" * 32_768
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in template.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(item, template.read(item.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>")
            for _ in range(420 * 1024 * 1024 // len(rows)):
                sheet.write(rows)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_the_incident_workbook_is_refused_from_its_zip_directory_before_anything_is_unpacked(bomb, nothing_unpacked):
    assert bomb.stat().st_size < 2 * 1024 * 1024

    message = refusal(bomb)

    assert "unpacks to 420 MB from a file of 1 MB" in message
    assert "save it as CSV" in message


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_before_it_is_read(
    tmp_path, settings, nothing_unpacked
):
    settings.UPLOAD_XLSX_MAX_UNPACKED_MB = 1
    path = write_workbook(tmp_path, customer_rows(20_000))  # a 2.7 MB sheet, packed tenfold: a real file

    message = refusal(path)

    assert message.startswith("This workbook unpacks to 3 MB, more than the 1 MB allowed.")
    assert "Save it as CSV, or split it" in message


def with_shared_strings(content: bytes, strings: list[str]) -> bytes:
    """The workbook with its cells' text in a shared-strings part, as Excel writes it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
                )
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            archive.writestr(item, data)
        items = "".join(f"<si><t>{text}</t></si>" for text in strings)
        archive.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + items + "</sst>",
        )
    return buffer.getvalue()


def test_a_part_read_whole_is_bounded_but_the_streamed_sheet_is_not(tmp_path, settings):
    settings.UPLOAD_XLSX_MAX_PART_MB = 1
    rows = customer_rows(10_000)  # a 1.4 MB sheet: streamed, so only the total limit applies to it
    assert read_all(write_workbook(tmp_path, rows))[1][-1] == (10_001, ["Customer 9999", "9800009999"])

    strings = [f"Borrower with a long name number {i}" for i in range(40_000)]
    path = write(tmp_path, "strings.xlsx", with_shared_strings(workbook_bytes(rows[:2]), strings))

    message = refusal(path)

    assert message.startswith("This workbook holds 2 MB of shared text or formatting (xl/sharedStrings.xml)")
    assert "more than the 1 MB that can be read at once" in message


def declare_size(content: bytes, member: str, size: int) -> bytes:
    """Write a smaller uncompressed size for ``member`` into the zip's directory and local header."""
    data = bytearray(content)
    name = member.encode()
    # (header signature, offset of its uncompressed size, of its name's length, of its name)
    for signature, size_at, length_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):
        at = data.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", data, at + length_at)
            if data[at + name_at : at + name_at + length] == name:
                struct.pack_into("<L", data, at + size_at, size)
            at = data.find(signature, at + 4)
    return bytes(data)


def test_a_part_that_inflates_to_more_than_it_declares_is_cut_at_its_declared_size(bomb, tmp_path, monkeypatch):
    """The directory's sizes pass every check, but the sheet inflates to 420 MB: reading stops at what it declared."""
    declared = 2_000
    path = write(tmp_path, "lying.xlsx", declare_size(bomb.read_bytes(), "xl/worksheets/sheet1.xml", declared))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == declared
    inflated = []
    real_decompressor = zipfile._get_decompressor

    class CountingDecompressor:
        def __init__(self, decompressor):
            self._decompressor = decompressor

        def decompress(self, data, max_length=0):
            out = self._decompressor.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self._decompressor, name)

    monkeypatch.setattr(zipfile, "_get_decompressor", lambda kind: CountingDecompressor(real_decompressor(kind)))

    message = refusal(path)

    assert "it is damaged" in message
    assert sum(inflated) < declared + 64 * 1024  # zipfile inflates a few KB at a time, and stops


def test_a_zip_of_too_many_parts_is_refused_from_its_end_record(tmp_path, monkeypatch, nothing_unpacked):
    monkeypatch.setattr(limits, "_MAX_WORKBOOK_PARTS", 10)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(11):
            archive.writestr(f"xl/part{index}.xml", b"")

    message = refusal(write(tmp_path, "customers.xlsx", buffer.getvalue()))

    assert message.startswith("This file holds 11 parts, far more than an Excel workbook of customers does")


def test_a_zip64_end_record_announcing_millions_of_parts_is_refused_before_the_directory_is_read(
    tmp_path, nothing_unpacked
):
    start = b"PK\x03\x04" + b"\x00" * 60
    zip64_end = struct.pack("<4sQHHLLQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 50_000_000, 50_000_000, 2**40, 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(start), 1)
    end = struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)

    message = refusal(write(tmp_path, "customers.xlsx", start + zip64_end + locator + end))

    assert message.startswith("This file holds 50,000,000 parts")


def test_workbook_rows_beyond_the_limit_are_refused(tmp_path, settings):
    settings.UPLOAD_MAX_ROWS = 5
    assert len(read_all(write_workbook(tmp_path, customer_rows(4)))[1]) == 4

    message = refusal(write_workbook(tmp_path, customer_rows(5), name="six-rows.xlsx"))

    assert message.startswith("This file goes on past row 5, the most an upload may have.")


def test_a_cell_far_to_the_right_is_refused_at_its_row(tmp_path, monkeypatch):
    """openpyxl fills every cell up to the last one of a row: one cell in XFD is 16,384 cells, row after row."""
    rows = customer_rows(3)
    rows[2] = rows[2] + [None] * (16_384 - 3) + ["x"]
    path = write_workbook(tmp_path, rows + [[f"Customer {i}", "9876543210"] for i in range(10)])

    message = refusal(path)

    assert message.startswith("Row 3 of the workbook has cells as far right as column XFD, more than the 500 columns")
    assert "Delete the columns to the right of the customer table" in message


def test_a_workbook_cell_over_the_limit_is_refused_naming_its_row_and_column(tmp_path, settings):
    settings.UPLOAD_MAX_CELL_CHARS = 100
    rows = [["Loan Account No", "Customer Name", "Mobile No."], ["LN1", "Asha", 9876543210], ["LN2", "R" * 150, 1]]

    message = refusal(write_workbook(tmp_path, rows))

    assert message.startswith("Row 3, column B (“Customer Name”), holds 150 characters, more than the 100")
    assert "RRR" not in message


# --- the same limits on CSV --------------------------------------------------------------------------------------


def test_csv_rows_beyond_the_limit_are_refused(tmp_path, settings):
    settings.UPLOAD_MAX_ROWS = 5
    assert len(read_all(write(tmp_path, "five.csv", csv_bytes(customer_rows(4))))[1]) == 4

    message = refusal(write(tmp_path, "six.csv", csv_bytes(customer_rows(5))))

    assert message.startswith("This file goes on past row 5")


def test_a_csv_header_wider_than_the_limit_is_refused(tmp_path, settings):
    settings.UPLOAD_MAX_COLUMNS = 10
    content = csv_bytes([[f"column {i}" for i in range(11)], ["x"] * 11])

    message = refusal(write(tmp_path, "wide.csv", content))

    assert message.startswith("The header row (row 1) names 11 columns, more than the 10 an upload may have.")


def test_a_csv_cell_over_the_limit_is_refused_naming_its_row_and_column(tmp_path, settings):
    settings.UPLOAD_MAX_CELL_CHARS = 100
    content = csv_bytes([["phone", "name"], ["9876543210", "Asha"], ["9876543211", "R" * 150]])

    message = refusal(write(tmp_path, "customers.csv", content))

    assert message.startswith("Row 3, column B (“name”), holds 150 characters, more than the 100")


def test_a_line_longer_than_any_customer_row_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "_MAX_LINE_CHARS", 100_000)
    content = b"name,phone\nAsha,9876543210\n" + b"," * 5_000_000 + b"\n"

    message = refusal(write(tmp_path, "customers.csv", content))

    assert message.startswith("Line 3 of the file is longer than 100,000 characters")


# --- 9. NUL bytes ----------------------------------------------------------------------------------------------


def rows_with_a_nul_after_the_sample():
    rows = customer_rows(3_000)
    rows[2_990] = ["Customer\x00 2989", "9800002989"]
    content = csv_bytes(rows)
    assert content.index(b"\x00") > 64 * 1024
    return content


def test_a_nul_byte_after_the_detection_sample_is_dropped_and_every_row_read(tmp_path):
    _table, rows = read_all(write(tmp_path, "customers.csv", rows_with_a_nul_after_the_sample()))

    assert len(rows) == 3_000
    assert rows[2_989] == (2_991, ["Customer 2989", "9800002989"])


def test_a_few_nul_bytes_in_the_detection_sample_do_not_make_the_file_binary(tmp_path):
    content = b"name,phone\nAsha\x00,9876543210\n\x00\nRavi,98765\x0043211\n"

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.headers == ["name", "phone"]
    assert rows == [(2, ["Asha", "9876543210"]), (4, ["Ravi", "9876543211"])]


def test_an_upload_with_a_nul_byte_imports_every_row(db):
    upload = upload_bytes(rows_with_a_nul_after_the_sample())

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    assert upload.created_count == 3_000
    assert Customer.objects.filter(full_name="Customer 2989").exists()


# --- 11. quotes never closed -------------------------------------------------------------------------------------


def test_a_quote_never_closed_is_refused_naming_its_line_instead_of_losing_the_rows_after_it(tmp_path):
    # csv, at the end of the file inside a quote, would give one row holding the four lines after it.
    content = b'name,phone\nAsha,9876543210\n"Ravi,9876543211\nMeena,9876543212\nJohn,9876543213\n'

    message = refusal(write(tmp_path, "customers.csv", content))

    assert message.startswith('The quote (") that opens a cell on line 3 of the file (row 3) is never closed')
    assert "remove that quote or close it where the cell ends" in message


def test_a_stray_quote_closed_by_a_later_cells_quote_is_refused_naming_both_lines(tmp_path):
    # The quote would close at the next quote in the file, the one opening "1,00,000" two lines down.
    content = (
        b"name,phone,amount\nAsha,9876543210,500\n"
        b'"Ravi,9876543211,600\nMeena,9876543212,700\nJohn,9876543213,"1,00,000"\nLata,9876543214,800\n'
    )

    message = refusal(write(tmp_path, "customers.csv", content))

    assert message.startswith(
        'The quote (") that opens a cell on line 3 of the file (row 3) is closed only on line 5, by another quote'
    )


def test_a_quote_running_on_past_the_row_line_limit_is_refused(tmp_path):
    # Closed properly, by chance, 150 lines further down: only its length gives it away.
    content = b'name,phone\n"Ravi,9876543211\n' + b"Meena,9876543212\n" * 150 + b'x",9876543213\n'

    message = refusal(write(tmp_path, "customers.csv", content))

    assert "line 2 of the file (row 2) runs on for more than 100 lines" in message


def test_a_quote_running_on_past_what_csv_can_hold_in_a_cell_is_refused(tmp_path):
    # Long lines: csv's own limit on a cell (131,072 characters) is reached before the row line limit.
    remarks = "called, promised to pay next week " * 100
    content = b'name,phone,remarks\n"Ravi,9876543211,x\n' + f"Meena,9876543212,{remarks}\n".encode() * 60

    message = refusal(write(tmp_path, "customers.csv", content))

    assert "line 2 of the file (row 2) runs on for more than 32,767 characters" in message


def test_the_line_named_is_the_one_the_quote_opened_on_after_cells_with_line_breaks(tmp_path):
    content = (
        b'name,address,phone\nAsha,"12 MG Road\nBengaluru",9876543210\n'  # row 2: lines 2-3
        b'Ravi,"4 Park Street\nKolkata","9876543211\nMeena,Chennai,9876543212\n'  # row 3: the quote opens on line 5
    )

    message = refusal(write(tmp_path, "customers.csv", content))

    assert "opens a cell on line 5 of the file (row 3) is never closed" in message


def test_cells_with_line_breaks_and_stray_quotes_on_one_line_still_read(tmp_path):
    content = (
        b'name,address,phone\n"Asha" Rao,"12 MG Road\nBengaluru",9876543210\n'
        b'Ravi,"4 Park Street\n""B"" Block\nKolkata",9876543211\nMeena,"Chennai",9876543212\n'
    )

    _table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert rows == [
        (2, ["Asha Rao", "12 MG Road\nBengaluru", "9876543210"]),
        (3, ["Ravi", '4 Park Street\n"B" Block\nKolkata', "9876543211"]),
        (4, ["Meena", "Chennai", "9876543212"]),
    ]


def test_an_upload_with_a_quote_never_closed_fails_before_any_row_is_written(db):
    content = csv_bytes(customer_rows(50)) + b'"Ravi,9876543211\r\n' + csv_bytes(customer_rows(20)[1:])

    upload = upload_bytes(content)

    assert upload.status == UploadStatus.FAILED
    assert "line 52 of the file (row 52) is never closed" in upload.error_summary
    assert not Customer.objects.exists()
    assert not upload.entries.exists()


# --- 12. entries keep a bounded part of each cell ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["customers.csv", "customers.xlsx"])
def test_an_entry_keeps_at_most_the_entry_limit_of_a_cell_and_says_it_was_cut(db, name):
    rows = [["name", "phone", "remarks"], ["N" * 5_000, "9876543210", "short"]]
    content = workbook_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)

    upload = upload_bytes(content, name=name)

    entry = upload.entries.get()
    assert entry.outcome == RowOutcome.INVALID  # too long for a name
    assert entry.values["name"] == "N" * 1_000 + "…[cut at 1,000 characters]"
    assert entry.values["remarks"] == "short"
    assert entry.values["phone"] == "9876543210"


# --- storage: files are read through Django's storage API, never a path ------------------------------------------


@pytest.mark.parametrize("name", ["customers.csv", "customers.xlsx"])
def test_an_upload_is_read_from_a_storage_that_has_no_paths(db, settings, name):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    rows = customer_rows(3)
    content = workbook_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)

    upload = upload_bytes(content, name=name)

    assert upload.status == UploadStatus.COMPLETED, upload.error_summary
    assert upload.created_count == 3
