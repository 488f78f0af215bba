import datetime
import tracemalloc
import zipfile
from contextlib import contextmanager

import openpyxl
import pytest

from uploads.readers import UnreadableFile, open_table, xlsx_reader


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


@contextmanager
def open_path(path, name=None):
    """Open a file on disk as the pipeline opens a stored upload: a binary file object and the uploaded name."""
    with path.open("rb") as file, open_table(file, name=path.name if name is None else name) as table:
        yield table


def read_all(path, name=None):
    with open_path(path, name=name) as table:
        return table, list(table.rows())


def write_workbook(tmp_path, rows, name="customers.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def replace_in_sheet(path, old, new):
    """Edit the first sheet's XML, to write a cell the way other programs do (``9876543211.0``)."""
    with zipfile.ZipFile(path) as archive:
        parts = {item.filename: archive.read(item.filename) for item in archive.infolist()}
    assert old in parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(old, new)
    with zipfile.ZipFile(path, "w") as archive:
        for filename, content in parts.items():
            archive.writestr(filename, content)


# --- encodings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        ("name,phone\nJosé Müller,9876543210\n".encode(), "utf_8"),
        ("name,phone\nJosé Müller,9876543210\n".encode("utf-8-sig"), "utf_8_sig"),
        ("name,phone\nJosé Müller,9876543210\n".encode("utf-16"), "utf_16"),
        ("name,phone\nJosé Müller,9876543210\n".encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 with BOM", "windows-1252"],
)
def test_each_common_encoding_is_detected_and_decoded(tmp_path, encoded, encoding):
    table, rows = read_all(write(tmp_path, "customers.csv", encoded))

    assert table.format == "csv"
    assert table.encoding == encoding
    assert table.headers == ["name", "phone"]  # no BOM left on the first header
    assert rows == [(2, ["José Müller", "9876543210"])]


def test_utf_16_big_endian_with_bom(tmp_path):
    content = "\ufeffname\tphone\nराम शर्मा\t9876543210\n".encode("utf-16-be")

    table, rows = read_all(write(tmp_path, "customers.txt", content))

    assert table.headers == ["name", "phone"]
    assert table.delimiter == "\t"
    assert rows == [(2, ["राम शर्मा", "9876543210"])]


@pytest.mark.parametrize(("codec", "encoding"), [("utf-16-le", "utf_16_le"), ("utf-16-be", "utf_16_be")])
def test_utf_16_without_a_bom_is_recognised(tmp_path, codec, encoding):
    content = "name\tphone\nराम शर्मा\t9876543210\nAsha\t9876543211\n".encode(codec)

    table, rows = read_all(write(tmp_path, "customers.txt", content))

    assert table.encoding == encoding
    assert rows == [(2, ["राम शर्मा", "9876543210"]), (3, ["Asha", "9876543211"])]


def test_windows_1252_euro_sign_and_accents_decode_as_windows_1252(tmp_path):
    content = "name;phone;note\nRenée Ça;9876543210;€500 paid\n".encode("cp1252")
    assert b"\x80" in content

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.encoding == "cp1252"
    assert rows == [(2, ["Renée Ça", "9876543210", "€500 paid"])]


def test_a_utf_8_character_cut_by_the_detection_sample_does_not_break_detection(tmp_path):
    header = b"name,phone\n"
    filler_row = b"Ramesh Kumar,9876543210\n"
    prefix = header + filler_row * ((64 * 1024 - len(header)) // len(filler_row))
    # Pad so the 64 KB sample ends inside the three bytes of "ि" (U+093F).
    pad = 64 * 1024 - len(prefix) - len(b"x,") - 1
    odd_row = b"x" * pad + b"x,\xe0\xa4\xbf\n"
    content = prefix + odd_row + "हिंदी नाम,9876543211\n".encode()
    assert content[64 * 1024 - 1 : 64 * 1024 + 2] == "ि".encode()[0:3]

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.encoding == "utf_8"
    assert rows[-1][1] == ["हिंदी नाम", "9876543211"]
    assert rows[-2][1][1] == "ि"
    assert all("\ufffd" not in value for _number, values in rows for value in values)


def test_a_windows_1252_name_after_a_pure_ascii_sample_is_still_decoded(tmp_path):
    ascii_rows = b"Ramesh Kumar,9876543210\n" * 4000  # more than the 64 KB sample
    content = b"name,phone\n" + ascii_rows + "José,9876543211\n".encode("cp1252")

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.encoding == "utf_8"
    assert rows[-1] == (4002, ["José", "9876543211"])


def test_undecodable_bytes_do_not_crash(tmp_path):
    content = b"name,phone\n\x81\x8d\x8f\x90\x9d name,9876543210\n"

    _table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert len(rows) == 1
    assert rows[0][1][1] == "9876543210"


# --- separators and quoting --------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_separator_is_detected(tmp_path, delimiter):
    lines = [["Name", "Mobile No.", "Amount"], ["Asha Rao", "9876543210", "50000"], ["Ravi", "9876543211", "700"]]
    content = "".join(delimiter.join(line) + "\r\n" for line in lines).encode()

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.delimiter == delimiter
    assert table.headers == ["Name", "Mobile No.", "Amount"]
    assert rows == [(2, ["Asha Rao", "9876543210", "50000"]), (3, ["Ravi", "9876543211", "700"])]


def test_commas_inside_amounts_do_not_fool_the_semicolon_detection(tmp_path):
    content = b"Name;Phone;Amount\nAsha;9876543210;1,00,000\nRavi;9876543211;2,50,000.50\n"

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.delimiter == ";"
    assert rows[0][1] == ["Asha", "9876543210", "1,00,000"]


def test_quoted_fields_keep_their_separators_and_newlines_and_rows_are_numbered_as_excel_does(tmp_path):
    content = b'name,address,amount\n"Rao, Asha","12 MG Road\nBengaluru","1,00,000"\n"Ravi ""RK"" Kumar",Pune,500\n'

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.delimiter == ","
    assert rows == [
        (2, ["Rao, Asha", "12 MG Road\nBengaluru", "1,00,000"]),
        (3, ['Ravi "RK" Kumar', "Pune", "500"]),
    ]


def test_a_single_column_file_is_read(tmp_path):
    table, rows = read_all(write(tmp_path, "phones.csv", b"phone\n9876543210\n9876543211\n"))

    assert table.headers == ["phone"]
    assert [values for _number, values in rows] == [["9876543210"], ["9876543211"]]


# --- rows ----------------------------------------------------------------------------------------------------


def test_blank_rows_are_skipped_but_still_counted(tmp_path):
    content = b"\n  \nname,phone\nAsha,9876543210\n\n , \n,\nRavi,9876543211\n"

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.headers == ["name", "phone"]
    assert rows == [(4, ["Asha", "9876543210"]), (8, ["Ravi", "9876543211"])]
    assert table.blank_rows == [5, 6, 7]  # those above the header are not the table's
    assert table.blank_row_count == 3


@pytest.mark.parametrize("name", ["customers.csv", "customers.xlsx"])
def test_blank_rows_between_data_rows_are_listed_but_not_those_after_the_last(tmp_path, name):
    rows = [["name", "phone"], ["Asha", "1"], [None, None], ["Ravi", "2"], ["  ", ""], [None], ["Meena", "3"]]
    rows += [["", " "], [None, None], [None, ""]]  # blank to the end: formatting, not gaps in the data
    if name.endswith(".xlsx"):
        path = write_workbook(tmp_path, rows, name=name)
    else:
        path = write(tmp_path, name, "".join(",".join(cell or "" for cell in row) + "\r\n" for row in rows).encode())

    table, data = read_all(path)

    assert [number for number, _values in data] == [2, 4, 7]
    assert table.blank_rows == [3, 5, 6]
    assert table.blank_row_count == 3


def test_blank_rows_are_listed_afresh_on_each_walk(tmp_path):
    path = write(tmp_path, "customers.csv", b"name,phone\nAsha,1\n\nRavi,2\n")

    with open_path(path) as table:
        walk = table.rows()
        assert next(walk) == (2, ["Asha", "1"])
        assert table.blank_rows == []  # the blank row is listed once the row after it is read
        list(walk)
        assert (table.blank_rows, table.blank_row_count) == ([3], 1)
        list(table.rows())
        assert (table.blank_rows, table.blank_row_count) == ([3], 1)


def test_the_list_of_blank_rows_stops_at_a_thousand_but_the_count_does_not(tmp_path):
    content = b"name,phone\nAsha,1\n" + b",\n" * 1_500 + b"Ravi,2\n" + b"\n" * 10 + b"Meena,3\n"

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert [number for number, _values in rows] == [2, 1_503, 1_514]
    assert table.blank_rows == list(range(3, 1_003))
    assert table.blank_row_count == 1_510


def test_short_rows_are_padded_and_long_rows_cut_to_the_header(tmp_path):
    content = b"name,phone,amount\nAsha,9876543210\nRavi,9876543211,500,extra,more\n"

    _table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert rows == [(2, ["Asha", "9876543210", ""]), (3, ["Ravi", "9876543211", "500"])]


def test_headers_are_stripped_but_values_are_not(tmp_path):
    content = b"  name  , phone \t,amount,,\n  Asha  , 9876543210 ,500\n"

    table, rows = read_all(write(tmp_path, "customers.csv", content))

    assert table.headers == ["name", "phone", "amount"]  # trailing empty header cells dropped
    assert rows == [(2, ["  Asha  ", " 9876543210 ", "500"])]


def test_duplicate_headers_are_kept_for_the_mapping_layer_to_report(tmp_path):
    table, _rows = read_all(write(tmp_path, "customers.csv", b"phone,Phone,name\n1,2,3\n"))

    assert table.headers == ["phone", "Phone", "name"]


def test_rows_can_be_walked_again(tmp_path):
    path = write(tmp_path, "customers.csv", b"name,phone\nAsha,1\nRavi,2\n")

    with open_path(path) as table:
        first = list(table.rows())
        second = list(table.rows())

    assert first == second == [(2, ["Asha", "1"]), (3, ["Ravi", "2"])]


def test_a_large_file_is_streamed_row_by_row(tmp_path):
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("name,phone,loan id,amount\n")
        for index in range(200_000):
            handle.write(f'Customer {index},98{index:08d},LN{index},"1,00,000"\n')

    count = 0
    last = None
    with open_path(path, name="large.csv") as table:
        for number, values in table.rows():
            count += 1
            last = (number, values)

    assert count == 200_000
    assert last == (200_001, ["Customer 199999", "9800199999", "LN199999", "1,00,000"])


def test_an_unclosed_quote_is_reported_with_its_line(tmp_path):
    # The quote would swallow the rest of the file into one cell (see test_reader_limits for the other shapes).
    content = b'name,phone\nAsha,9876543210\n"Ravi,9876543211\n' + b"Next Person,9876543212\n" * 6000

    with open_path(write(tmp_path, "customers.csv", content)) as table, pytest.raises(UnreadableFile) as exc:
        list(table.rows())

    assert "line 3 of the file (row 3)" in exc.value.message
    assert "quote" in exc.value.message


# --- formats -------------------------------------------------------------------------------------------------


def test_xlsx_phones_stored_as_numbers_and_dates_come_back_as_python_values(tmp_path):
    path = write_workbook(
        tmp_path,
        [
            ["Customer Name", "Mobile No.", "Due Date", "Amount"],
            ["Asha Rao", 9876543210, datetime.datetime(2025, 12, 31), 100000],
            [None, None, None, None],
            ["Ravi", 9876543211.0, datetime.date(2026, 1, 5), 2500.5],
            ["Short row"],
        ],
    )
    # openpyxl and Excel write a whole number as "9876543211"; other programs write "9876543211.0".
    replace_in_sheet(path, b"<v>9876543211</v>", b"<v>9876543211.0</v>")

    table, rows = read_all(path, name="Customers.XLSX")

    assert table.format == "xlsx"
    assert table.encoding is None
    assert table.delimiter is None
    assert table.headers == ["Customer Name", "Mobile No.", "Due Date", "Amount"]
    assert rows == [
        (2, ["Asha Rao", 9876543210, datetime.datetime(2025, 12, 31), 100000]),
        (4, ["Ravi", 9876543211.0, datetime.datetime(2026, 1, 5), 2500.5]),
        (5, ["Short row", None, None, None]),
    ]
    assert isinstance(rows[0][1][1], int)
    assert isinstance(rows[1][1][1], float)


def test_xlsx_header_is_the_first_non_empty_row_and_numbering_follows_excel(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"] = " name "
    sheet["C3"] = "phone"
    sheet["B5"] = "Asha"
    sheet["C5"] = "9876543210"
    sheet["E5"] = "outside the table"
    sheet["B7"] = "   "
    sheet["B8"] = "Ravi"
    path = tmp_path / "offset.xlsx"
    workbook.save(path)

    table, rows = read_all(path)

    assert table.headers == ["", "name", "phone"]
    assert rows == [(5, [None, "Asha", "9876543210"]), (8, [None, "Ravi", None])]


def test_xlsx_reads_the_first_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["name", "phone"])
    workbook.active.append(["Asha", "9876543210"])
    other = workbook.create_sheet("Other")
    other.append(["something", "else"])
    workbook.active = 1
    path = tmp_path / "two-sheets.xlsx"
    workbook.save(path)

    table, rows = read_all(path)

    assert table.headers == ["name", "phone"]
    assert rows == [(2, ["Asha", "9876543210"])]


def test_the_workbook_is_closed_when_the_context_ends(tmp_path, monkeypatch):
    opened = []
    real_reader = xlsx_reader.ExcelReader

    def excel_reader(*args, **kwargs):
        opened.append(real_reader(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(xlsx_reader, "ExcelReader", excel_reader)
    path = write_workbook(tmp_path, [["name", "phone"], ["Asha", "1"]])

    with open_path(path) as table:
        assert list(table.rows()) == [(2, ["Asha", "1"])]
        assert opened[0].archive.fp is not None
    assert opened[0].archive.fp is None


def sheet_opened_count(monkeypatch):
    """Count how often the first sheet's XML is opened for reading."""
    opened = []
    real_open = zipfile.ZipFile.open

    def open_part(self, name, *args, **kwargs):
        if getattr(name, "filename", name) == "xl/worksheets/sheet1.xml":
            opened.append(name)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_part)
    return opened


def test_a_sheet_is_read_once_to_find_its_header_then_once_a_walk(tmp_path, monkeypatch):
    # openpyxl's write-only mode writes no size into the sheet: read-only openpyxl would read it all to size it.
    rows = [["name", "phone"]] + [[f"Customer {i}", f"98{i:08d}"] for i in range(100)]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        assert b"<dimension" not in archive.read("xl/worksheets/sheet1.xml")
    opened = sheet_opened_count(monkeypatch)

    with open_path(path) as table:
        assert len(opened) == 1
        assert len(list(table.rows())) == 100

    assert len(opened) == 2


def test_reading_a_workbook_keeps_nothing_of_the_rows_already_read(tmp_path):
    def traced_peak(count):
        path = write_workbook(tmp_path, [["name", "phone"]] + [["Asha", 9876543210]] * count, name=f"{count}.xlsx")
        with open_path(path) as table:
            tracemalloc.start()
            try:
                for _row in table.rows():
                    pass
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    small, large = traced_peak(1_000), traced_peak(40_000)

    # Each row kept would be some 90 bytes: 3.5 MB more for the larger sheet.
    assert large - small < 500_000


@pytest.mark.parametrize("name", ["upload", "upload.dat", ""])
def test_an_unknown_extension_is_sniffed(tmp_path, name):
    workbook = write_workbook(tmp_path, [["name", "phone"], ["Asha", "9876543210"]], name="stored-without-ext")
    text = write(tmp_path, "stored-text", b"name;phone\nAsha;9876543210\n")

    with open_path(workbook, name=name) as table:
        assert table.format == "xlsx"
    with open_path(text, name=name) as table:
        assert table.format == "csv"
        assert table.delimiter == ";"


def test_a_workbook_uploaded_with_a_csv_name_is_read_as_a_workbook(tmp_path):
    path = write_workbook(tmp_path, [["name", "phone"], ["Asha", "9876543210"]], name="really.csv")

    table, rows = read_all(path, name="really.csv")

    assert table.format == "xlsx"
    assert rows == [(2, ["Asha", "9876543210"])]


# --- refusals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n\n   \r\n", b",,,\n , ,\n", "\n".encode("utf-16")])
def test_an_empty_file_is_refused(tmp_path, content):
    with pytest.raises(UnreadableFile) as exc, open_path(write(tmp_path, "customers.csv", content)):
        pass
    assert exc.value.code == "unreadable_file"
    assert exc.value.message.startswith("The file is empty")


def test_an_empty_workbook_is_refused(tmp_path):
    path = write_workbook(tmp_path, [])

    with pytest.raises(UnreadableFile) as exc, open_path(path):
        pass
    assert exc.value.message.startswith("The file is empty")


def test_an_old_excel_file_is_refused_with_what_to_do(tmp_path):
    path = write(tmp_path, "customers.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)

    with pytest.raises(UnreadableFile) as exc, open_path(path, name="customers.xls"):
        pass
    assert ".xls" in exc.value.message
    assert "save it as .xlsx or .csv" in exc.value.message


def test_an_old_excel_file_under_another_name_is_refused_too(tmp_path):
    path = write(tmp_path, "upload", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)

    with pytest.raises(UnreadableFile) as exc, open_path(path, name="customers.xlsx"):
        pass
    assert "password" in exc.value.message


def test_a_corrupt_workbook_is_refused_with_a_clear_message(tmp_path):
    good = write_workbook(tmp_path, [["name", "phone"], ["Asha", "9876543210"]])
    path = write(tmp_path, "broken.xlsx", good.read_bytes()[:2000])

    with pytest.raises(UnreadableFile) as exc, open_path(path, name="broken.xlsx"):
        pass
    assert "could not be opened" in exc.value.message
    assert "Traceback" not in exc.value.message


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "customers.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("customers.csv", "name,phone\n")

    with pytest.raises(UnreadableFile) as exc, open_path(path, name="customers.xlsx"):
        pass
    assert "ZIP archive" in exc.value.message


def test_a_text_file_named_xlsx_is_refused(tmp_path):
    path = write(tmp_path, "customers.xlsx", b"name,phone\nAsha,9876543210\n")

    with pytest.raises(UnreadableFile) as exc, open_path(path, name="customers.xlsx"):
        pass
    assert "not an Excel workbook" in exc.value.message


def test_a_binary_file_is_refused(tmp_path):
    path = write(tmp_path, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20)

    with pytest.raises(UnreadableFile) as exc, open_path(path, name="photo.csv"):
        pass
    assert "binary" in exc.value.message
