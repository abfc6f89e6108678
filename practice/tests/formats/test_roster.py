"""Roster CSV: columns named in the header, per-row problems with spreadsheet row numbers, file refusals."""

import time

import pytest

from practice.formats import roster
from practice.formats.roster import RosterRefused, parse


def test_a_roster_reads_in_any_column_order_case_and_delimiter_with_a_bom():
    for delimiter in (",", ";", "\t"):
        text = delimiter.join(["Class", "EMAIL", "Name", "external_id"]) + "\r\n"
        text += delimiter.join(["Period 1", "ada@example.com", "Ada Lovelace", "S-1"]) + "\r\n"
        result = parse("\ufeff".encode() + text.encode())
        assert [(r.row, r.email, r.name, r.class_name, r.external_id, r.problem) for r in result.rows] == [
            (2, "ada@example.com", "Ada Lovelace", "Period 1", "S-1", "")
        ]


def test_extra_columns_are_ignored_and_named():
    result = parse(b"email,name,class,grade,homeroom\na@example.com,A,P1,10,H\n")
    assert result.ignored_columns == ["grade", "homeroom"]
    assert not result.problems


def test_row_problems_carry_spreadsheet_row_numbers():
    data = (
        "email,name,class,external_id\n"
        "good@example.com,Good,P1,\n"
        "\n"  # blank line: skipped, but still counted as row 3
        "not-an-email,Bad,P1,\n"
        "x@example.com,,,\n"
        f"long@example.com,{'n' * 81},P1,{'i' * 65}\n"
    ).encode()
    result = parse(data)
    assert result.problems == [
        "Row 4: “not-an-email” is not an email address.",
        "Row 5: name is blank. class is blank.",
        "Row 6: name is longer than 80 characters. external_id is longer than 64 characters.",
    ]


def test_duplicate_emails_and_external_ids_name_both_rows():
    data = b"email,name,class,external_id\nA@example.com,A,P1,7\nb@example.com,B,P1,7\na@EXAMPLE.com,A2,P1,\n"
    problems = parse(data).problems
    assert problems == [
        "Row 2: external_id 7 is also on row 3. email a@EXAMPLE.com is also on row 4.",
        "Row 3: external_id 7 is also on row 2.",
        "Row 4: email a@EXAMPLE.com is also on row 2.",
    ]


def test_the_class_column_may_be_left_out_on_a_class_page():
    result = parse(b"email,name\na@example.com,A\n", class_required=False)
    assert result.rows[0].class_name == "" and not result.problems
    with pytest.raises(RosterRefused, match="no “class” column"):
        parse(b"email,name\na@example.com,A\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"email,name,class\n", "a header but no learners"),
        (b"name,class\nA,P1\n", "no “email” column"),
        (b"email,name,class,email\n", "names a column twice: email"),
        (b"PK\x03\x04binary", "not a CSV text file"),
        ("email,name,class\né,é,é\n".encode("latin-1"), "not UTF-8"),
        ("email,name,class\n".encode("utf-16"), "UTF-16"),
        (b'email,name,class\n"a@example.com,A,P1\n', "cannot be read"),
    ],
)
def test_files_that_are_not_rosters_are_refused_with_a_clear_message(data, message):
    with pytest.raises(RosterRefused) as refused:
        parse(data)
    assert message in " ".join(refused.value.messages)


def test_a_50000_row_roster_is_refused_fast_for_its_row_count():
    data = b"email,name,class\n" + b"".join(b"l%d@x.io,L,P\n" % n for n in range(50_000))
    assert len(data) < roster.MAX_BYTES  # small rows: the row limit, not the size limit, refuses it
    started = time.monotonic()
    with pytest.raises(RosterRefused, match="more than 5,000 learners"):
        parse(data)
    assert time.monotonic() - started < 2


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    with pytest.raises(RosterRefused, match="larger than 2 MB"):
        parse(b"email,name,class\n" + b"x" * roster.MAX_BYTES)


def test_a_formula_escape_apostrophe_is_removed():
    result = parse(b"email,name,class\na@example.com,'=Ada,P1\n")
    assert result.rows[0].name == "=Ada"
