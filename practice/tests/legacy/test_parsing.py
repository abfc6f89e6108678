import importlib.util
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from practice.legacy import parsing as p

from . import samples as legacy_samples

# --- timestamps --------------------------------------------------------------------------------------

MOMENT = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05 14:07:09", MOMENT),  # naive, space: UTC
        ("2024-03-05T14:07:09", MOMENT),  # naive ISO: UTC
        ("2024-03-05T14:07:09Z", MOMENT),
        ("2024-03-05T14:07:09z", MOMENT),
        ("2024-03-05T09:07:09-05:00", MOMENT),
        ("2024-03-05T19:37:09+05:30", MOMENT),
        ("2024-03-05T09:07:09-0500", MOMENT),
        ("2024-03-05T16:07:09+02", MOMENT),
        ("2024-03-05T14:07:09.000000", MOMENT),
        ("2024-03-05T14:07:09.123456", MOMENT.replace(microsecond=123456)),
        ("2024-03-05T14:07:09.5Z", MOMENT.replace(microsecond=500000)),
        ("2024-03-05 14:07:09.123456789", MOMENT.replace(microsecond=123456)),
        ("2024-03-05T14:07", MOMENT.replace(second=0)),
        ("  2024-03-05 14:07:09  ", MOMENT),
        (int(MOMENT.timestamp()), MOMENT),
        (float(MOMENT.timestamp()), MOMENT),
        (str(int(MOMENT.timestamp())), MOMENT),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-02-29", datetime(2024, 2, 29, tzinfo=UTC)),  # a leap day
        (None, None),
        ("", None),
    ],
)
def test_parse_timestamp_reads_every_legacy_format_as_aware_utc(value, expected):
    parsed = p.parse_timestamp(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-29",
        "2023-02-30 10:00:00",
        "2023-13-01T00:00:00",
        "2023-04-31",
        "2023-01-01 24:00:00",
        "2023-01-01T10:61:00Z",
        "2023-01-01T10:00:60",
    ],
)
def test_parse_timestamp_refuses_impossible_dates_clearly(value):
    with pytest.raises(p.LegacyValueError, match="impossible date"):
        p.parse_timestamp(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "unrecognised timestamp format"),
        ("05/03/2024", "unrecognised timestamp format"),
        (1709647629000, "milliseconds"),
        (12, "out of the plausible range"),
        ("2024-03-05T14:07:09+25:00", "impossible UTC offset"),
        (True, "boolean"),
        (b"2024-03-05", "timestamp expected"),
    ],
)
def test_parse_timestamp_refuses_what_it_cannot_read(value, message):
    with pytest.raises(p.LegacyValueError, match=message):
        p.parse_timestamp(value)


def test_parse_date_keeps_the_utc_calendar_day():
    assert p.parse_date("2024-03-05") == date(2024, 3, 5)
    assert p.parse_date("2024-03-05T22:00:00-05:00") == date(2024, 3, 6)
    assert p.parse_date(None) is None


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_legacy_db", legacy_samples.require_legacy_dir() / "make_legacy_db.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_style_the_generator_writes_reads_back_as_the_same_instant():
    generator = _generator()
    rng = random.Random(3)
    styles = ["space", "iso", "iso_us", "iso_z", "iso_offset", "epoch", "date"]
    for _ in range(300):
        base = datetime(2023, 9, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(800 * 86400))
        for style in styles:
            written = generator.timestamp(rng, base, style)
            expected = datetime(base.year, base.month, base.day, tzinfo=UTC) if style == "date" else base
            assert p.parse_timestamp(written) == expected, (style, written)


# --- scalars -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        (" False ", False),
        (True, True),
        (None, None),
    ],
)
def test_parse_bool_reads_every_legacy_spelling(value, expected):
    assert p.parse_bool(value) is expected


@pytest.mark.parametrize("value", [2, -1, "2", "maybe", "", 0.5])
def test_parse_bool_refuses_anything_else(value):
    with pytest.raises(p.LegacyValueError, match="boolean expected"):
        p.parse_bool(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "easy"),
        ("easy", "easy"),
        ("Easy", "easy"),
        ("2", "medium"),
        ("medium", "medium"),
        ("Medium", "medium"),
        (" MEDIUM ", "medium"),
        ("3", "hard"),
        ("hard", "hard"),
        (3, "hard"),
        (None, None),
    ],
)
def test_parse_difficulty_reads_numbers_and_words(value, expected):
    assert p.parse_difficulty(value) == expected


@pytest.mark.parametrize("value", ["4", "0", "very hard", "", 2.5])
def test_parse_difficulty_refuses_unknown_values(value):
    with pytest.raises(p.LegacyValueError, match="unknown difficulty"):
        p.parse_difficulty(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Math", p.MATH),
        ("math", p.MATH),
        ("MATH", p.MATH),
        ("Reading", p.READING_AND_WRITING),
        ("Writing", p.READING_AND_WRITING),
        ("reading_writing", p.READING_AND_WRITING),
        ("Reading and Writing", p.READING_AND_WRITING),
        ("Reading & Writing", p.READING_AND_WRITING),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_section_reads_every_spelling(value, expected):
    assert p.parse_section(value) == expected


def test_parse_section_refuses_unknown_sections():
    with pytest.raises(p.LegacyValueError, match="unknown section"):
        p.parse_section("Science")


def test_parse_box_accepts_one_to_five_and_repairs_null_and_out_of_range_boxes():
    assert [p.parse_box(v) for v in (1, 2, 3, 4, 5, "3")] == [1, 2, 3, 4, 5, 3]
    for value, clamped in ((0, 1), (-1, 1), (6, 5), ("9", 5), (None, 1)):
        with pytest.raises(p.RepairableValue, match=r"out of range|NULL") as caught:
            p.parse_box(value)
        assert caught.value.repaired == clamped
        assert isinstance(caught.value, p.LegacyValueError)  # what --strict rejects
    for value in ("x", 2.5):  # no meaning to keep: refused outright
        with pytest.raises(p.LegacyValueError, match="out of range") as caught:
            p.parse_box(value)
        assert not isinstance(caught.value, p.RepairableValue)


def test_numeric_columns_have_their_ranges():
    assert p.parse_level(0.0) == 0.0 and p.parse_level(1) == 1.0
    assert p.parse_seconds(None) is None and p.parse_seconds(4.25) == 4.25
    assert p.parse_score(200) == 200 and p.parse_score(800) == 800
    for parse, value in ((p.parse_score, 810), (p.parse_score, 190)):
        with pytest.raises(p.LegacyValueError, match="out of range"):
            parse(value)
    with pytest.raises(p.LegacyValueError, match="number expected"):
        p.parse_level(float("nan"))


@pytest.mark.parametrize(
    ("parse", "value", "repaired", "message"),
    [
        (p.parse_level, 1.2, 1.0, "out of range"),
        (p.parse_level, -0.1, 0.0, "out of range"),
        (p.parse_seconds, -1, None, "negative"),
        (p.parse_seconds, "-3.5", None, "negative"),
        (p.parse_seconds, 90000, None, "over 86,400 seconds"),
    ],
)
def test_impossible_levels_and_durations_are_repairable(parse, value, repaired, message):
    with pytest.raises(p.RepairableValue, match=message) as caught:
        parse(value)
    assert caught.value.repaired == repaired and caught.value.kind and caught.value.action


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("['A) 1', 'B) 2', 'C) 3', 'D) 4']", ["1", "2", "3", "4"]),
        ('["A. x", "B. y", "C. z", "D. w"]', ["A. x", "B. y", "C. z", "D. w"]),  # valid JSON: as written
        ("('one', 'two', \"it's\", 'four')", ["one", "two", "it's", "four"]),
        ("['A) 1', 'C) 2', 'B) 3', 'D) 4']", ["A) 1", "C) 2", "B) 3", "D) 4"]),  # labels out of order: kept
        ("['café', '√2', '日本語', 'tab\\there']", ["café", "√2", "日本語", "tab\there"]),
    ],
)
def test_choices_written_as_a_python_list_are_read_safely(value, expected):
    try:
        assert p.parse_choices(value) == expected
    except p.RepairableValue as repair:
        assert repair.repaired == expected and "not valid JSON" in str(repair)


@pytest.mark.parametrize(
    "value",
    [
        "[__import__('os').system('true'), 'b', 'c', 'd']",  # a call: never evaluated, refused
        "['a', 'b', 'c', 1]",  # not all strings
        "['a', 'b', 'c']",  # three choices
        "['a', 'b', 'c', ' ']",  # an empty choice
        "['a', 'b', 'c', 'd'] + ['e']",  # an expression, not a literal
        "[" * 5000 + "]" * 5000,  # nested far too deep
        "['" + "x" * 30_000 + "', 'b', 'c', 'd']",  # too long to parse
        "{'a': 1}",
        "['a', 'b', 'c', f'{1}']",  # an f-string is not a constant
        "['a', 'b', 'c', b'd']",  # bytes are not text
    ],
)
def test_choices_that_are_not_a_literal_list_of_four_strings_stay_rejected(value):
    with pytest.raises(p.LegacyValueError) as caught:
        p.parse_choices(value)
    assert not isinstance(caught.value, p.RepairableValue)


def test_parse_text_keeps_unicode_and_whitespace_verbatim_but_refuses_nul():
    assert (
        p.parse_text("tab\tinside line\nbreak 📚 “smart quotes”")
        == "tab\tinside line\nbreak 📚 “smart quotes”"
    )
    with pytest.raises(p.LegacyValueError, match="NUL"):
        p.parse_text("a\x00b")
    with pytest.raises(p.LegacyValueError, match="required text is NULL"):
        p.parse_text(None, required=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" ledger1@example.com ", "ledger1@example.com"),
        ("LANTERN17@EXAMPLE.ORG", "LANTERN17@example.org"),
        ("zoë6@example.com", "zoë6@example.com"),
        ("李雷128@example.com", "李雷128@example.com"),
        (None, None),
        ("   ", None),
    ],
)
def test_parse_email_trims_and_lowercases_the_domain_only(value, expected):
    assert p.parse_email(value) == expected


@pytest.mark.parametrize("value", ["no-at-sign", "two@@example.com", "a@b", "with space@example.com"])
def test_parse_email_refuses_non_addresses(value):
    with pytest.raises(p.LegacyValueError, match="not an email address"):
        p.parse_email(value)


# --- topics, JSON and answers ------------------------------------------------------------------------


def test_taxonomy_has_every_digital_sat_skill_once():
    skills = [skill for domains in p.TAXONOMY.values() for skills in domains.values() for skill in skills]
    assert len(skills) == len(set(skills)) == 30
    assert [len(domains) for domains in p.TAXONOMY.values()] == [4, 4]


@pytest.mark.parametrize(
    ("topic", "section", "skill", "aliased"),
    [
        ("Words in Context", None, "Words in Context", False),
        ("words in context ", p.READING_AND_WRITING, "Words in Context", False),
        ("form, structure, and sense ", None, "Form, Structure, and Sense", False),
        ("Cross-Text Connections", None, "Cross-Text Connections", False),
        ("Systems of two linear equations", p.MATH, "Systems of two linear equations in two variables", True),
        ("probability ", None, "Probability and conditional probability", True),
        ("Command of Evidence", p.READING_AND_WRITING, "Command of Evidence (Textual)", True),
        ("Command of Evidence (Quantitative)", None, "Command of Evidence (Quantitative)", False),
        ("Circles", p.MATH, "Circles", False),
    ],
)
def test_normalise_skill_maps_legacy_topics_onto_the_taxonomy(topic, section, skill, aliased):
    ref = p.normalise_skill(topic, section)
    assert (ref.skill, ref.known, ref.aliased) == (skill, True, aliased)
    assert ref.domain in p.TAXONOMY[ref.section]


@pytest.mark.parametrize("topic", ["Calculus", "", None, "   "])
def test_unknown_topics_are_kept_as_unclassified_in_their_section(topic):
    ref = p.normalise_skill(topic, p.MATH)
    assert ref == p.SkillRef(section=p.MATH, domain=None, skill="Unclassified", known=False)


def test_a_topic_contradicting_its_section_is_refused():
    with pytest.raises(p.LegacyValueError, match="is a Math skill but the section is Reading and Writing"):
        p.normalise_skill("Circles", p.READING_AND_WRITING)


def test_parse_choices_reads_json_arrays_and_null_for_grid_in():
    assert p.parse_choices('["a", "b", "c", "d"]') == ["a", "b", "c", "d"]
    assert p.parse_choices('["caf\\u00e9", "\\u221a2", "c", "d"]') == ["café", "√2", "c", "d"]
    assert p.parse_choices(None) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("['A) 1', 'B) 2', 'C) 3', 'D) 4']", "not valid JSON \\(it looks like a Python list"),
        ("[1, 2", "not valid JSON"),
        ('{"a": 1}', "JSON array of strings"),
        ('["a", "b", "c"]', "exactly 4 choices"),
        ('["a", "b", "c", " "]', "choice is empty"),
    ],
)
def test_parse_choices_refuses_invalid_json_and_wrong_shapes(value, message):
    with pytest.raises(p.LegacyValueError, match=message):
        p.parse_choices(value)


def test_parse_correct_answer_checks_against_the_question_type():
    assert p.parse_correct_answer(" b", grid_in=False) == "B"
    assert [p.parse_correct_answer(v, grid_in=True) for v in ("3/4", "0.75", "12", "-2", "2.5", "7/2")] == [
        "3/4",
        "0.75",
        "12",
        "-2",
        "2.5",
        "7/2",
    ]
    with pytest.raises(p.LegacyValueError, match="must be A-D"):
        p.parse_correct_answer("E", grid_in=False)
    for bad in ("1 1/2", "123456", "x", "3/4/5"):
        with pytest.raises(p.LegacyValueError, match="grid-in answer"):
            p.parse_correct_answer(bad, grid_in=True)


# --- every distinct value in the real files ----------------------------------------------------------

TIMESTAMP_COLUMNS = {
    "satprep": [
        ("users", "created_at"),
        ("questions", "created_at"),
        ("practice_sessions", "started_at"),
        ("practice_sessions", "completed_at"),
        ("responses", "answered_at"),
        ("results", "created_at"),
        ("badges", "awarded_at"),
        ("proficiency", "updated_at"),
    ],
    "leitner": [
        ("users", "created_at"),
        ("cards", "next_review"),
        ("cards", "last_reviewed"),
        ("cards", "created_at"),
        ("review_log", "reviewed_at"),
    ],
}
BOOLEAN_COLUMNS = {
    "satprep": [("users", "is_active"), ("responses", "is_correct")],
    "leitner": [("review_log", "correct")],
}
FILES = [("satprep", "sample"), ("leitner", "sample"), ("satprep", "scale5"), ("leitner", "scale5")]


def _open(kind, source):
    path = legacy_samples.sample(kind) if source == "sample" else legacy_samples.generated(kind, 5)
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return connection


def _distinct(connection, table, column):
    return [value for (value,) in connection.execute(f'SELECT DISTINCT "{column}" FROM "{table}"')]


def _style(value) -> str:
    if not isinstance(value, str):
        return type(value).__name__
    if len(value) == 10:
        return "date"
    if value[-6] in "+-":
        return "offset"
    if value.endswith("Z"):
        return "Z"
    return "fraction" if "." in value else value[10]


@pytest.fixture(params=FILES, ids=[f"{kind}-{source}" for kind, source in FILES])
def legacy_file(request):
    kind, source = request.param
    connection = _open(kind, source)
    yield kind, connection
    connection.close()


@pytest.fixture(params=["sample", "scale5"])
def satprep_file(request):
    connection = _open("satprep", request.param)
    yield connection
    connection.close()


@pytest.fixture(params=["sample", "scale5"])
def leitner_file(request):
    connection = _open("leitner", request.param)
    yield connection
    connection.close()


def test_every_distinct_timestamp_in_the_files_parses_to_a_plausible_utc_moment(legacy_file):
    kind, connection = legacy_file
    styles = set()
    for table, column in TIMESTAMP_COLUMNS[kind]:
        values = _distinct(connection, table, column)
        assert values
        for value in values:
            parsed = p.parse_timestamp(value)
            if value is None:
                assert column in ("completed_at", "last_reviewed")
                continue
            assert datetime(2023, 6, 1, tzinfo=UTC) <= parsed <= datetime(2026, 1, 1, tzinfo=UTC), value
            styles.add(_style(value))
    expected = (
        {"int", "offset", "Z", "fraction", "date", "T", " "}
        if kind == "satprep"
        else {"fraction", "date", "T", " "}
    )
    assert styles == expected


def test_the_same_instant_reads_the_same_in_every_format_the_files_use(satprep_file):
    connection = satprep_file
    instants = {p.parse_timestamp(value) for value in _distinct(connection, "questions", "created_at")}
    assert len(_distinct(connection, "questions", "created_at")) == 7
    assert instants == {datetime(2023, 9, 1, 8, tzinfo=UTC), datetime(2023, 9, 1, tzinfo=UTC)}


def test_every_distinct_boolean_in_the_files_parses(legacy_file):
    kind, connection = legacy_file
    for table, column in BOOLEAN_COLUMNS[kind]:
        values = _distinct(connection, table, column)
        assert set(values) <= {0, 1, "0", "1", "true", "false"}
        assert {p.parse_bool(value) for value in values} == {True, False} or (table, column) == (
            "users",
            "is_active",
        )


def test_every_distinct_question_label_in_satprep_files_parses(satprep_file):
    connection = satprep_file
    assert {p.parse_difficulty(v) for v in _distinct(connection, "questions", "difficulty")} == {
        "easy",
        "medium",
        "hard",
    }
    assert {p.parse_section(v) for v in _distinct(connection, "questions", "section")} == {
        p.MATH,
        p.READING_AND_WRITING,
    }
    assert {p.parse_section(v) for v in _distinct(connection, "practice_sessions", "section")} == {
        p.MATH,
        p.READING_AND_WRITING,
        None,
    }
    assert {p.parse_mode(v) for v in _distinct(connection, "practice_sessions", "mode")} == {
        "practice",
        "timed",
    }
    pairs = connection.execute("SELECT DISTINCT section, topic FROM questions").fetchall()
    for section, topic in pairs:
        ref = p.normalise_skill(topic, p.parse_section(section))
        assert ref.known, topic
    for topic in _distinct(connection, "proficiency", "topic"):
        assert p.normalise_skill(topic).known, topic


def test_choices_and_answers_in_satprep_files_parse_except_the_python_repr_rows(satprep_file):
    connection = satprep_file
    refused = []
    for qid, choices, answer in connection.execute("SELECT id, choices, correct_answer FROM questions"):
        try:
            parsed = p.parse_choices(choices)
        except p.LegacyValueError as exc:
            assert "looks like a Python list" in str(exc)
            refused.append(qid)
            continue
        p.parse_correct_answer(answer, grid_in=parsed is None)
    assert refused and all(qid % 97 == 0 for qid in refused)


def test_boxes_in_leitner_files_parse_except_the_out_of_range_rows(leitner_file):
    connection = leitner_file
    refused = []
    for card_id, box in connection.execute("SELECT id, box FROM cards"):
        try:
            p.parse_box(box)
        except p.LegacyValueError:
            refused.append((card_id, box))
    assert refused and all(card_id % 101 == 0 and box in (0, 6, None) for card_id, box in refused)
    for column in ("box_before", "box_after"):
        assert {p.parse_box(v) for v in _distinct(connection, "review_log", column)} <= {1, 2, 3, 4, 5}


def test_emails_in_the_files_parse_and_are_unique_ignoring_case(legacy_file):
    _kind, connection = legacy_file
    emails = [p.parse_email(value) for value in _distinct(connection, "users", "email")]
    present = [email for email in emails if email]
    assert None in emails  # accounts without an email exist in both apps
    assert len({email.lower() for email in present}) == len(present)


@pytest.mark.parametrize("value", ["9" * 5000, "99999999999999999999", 1e300, -1e19, 10**30])
def test_a_huge_integer_is_a_value_error_not_a_crash(value):
    with pytest.raises(p.LegacyValueError, match="is too large"):
        p.parse_int(value)


def test_the_largest_bigint_still_parses():
    assert p.parse_int(str(2**63 - 1)) == 2**63 - 1
    assert p.parse_int("  -0012 ") == -12


def test_deeply_nested_json_is_a_value_error_not_a_crash():
    with pytest.raises(p.LegacyValueError, match="nested too deeply"):
        p.parse_choices("[" * 100_000 + "]" * 100_000)
