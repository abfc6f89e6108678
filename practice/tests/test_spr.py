from fractions import Fraction

import pytest

from practice.spr import SprFormatError, parse_spr, spr_matches


@pytest.mark.parametrize("entry", ["3/4", ".75", "0.75", " 0.75 ", "6/8"])
def test_fraction_and_its_decimal_are_equivalent(entry):
    assert spr_matches(entry, ["3/4"])


@pytest.mark.parametrize("entry", ["-4", "-4.0", "-8/2", "-12/3"])
def test_negatives_are_allowed(entry):
    assert spr_matches(entry, ["-4"])


def test_wrong_numbers_are_marked_wrong_not_refused():
    assert not spr_matches("0.7", ["3/4"])
    assert not spr_matches("4", ["-4"])


def test_five_characters_or_six_with_a_minus_sign():
    assert parse_spr("12345") == 12345
    assert parse_spr("-12345") == -12345
    with pytest.raises(SprFormatError, match="at most 5 characters"):
        parse_spr("123456")
    with pytest.raises(SprFormatError, match="at most 5 characters"):
        parse_spr("-123456")


def test_mixed_numbers_are_refused_with_a_clear_message():
    with pytest.raises(SprFormatError, match="Mixed numbers"):
        parse_spr("3 1/2")


@pytest.mark.parametrize("entry", ["$5", "50%", "1,000"])
def test_symbols_are_refused_with_a_clear_message(entry):
    with pytest.raises(SprFormatError, match="Symbols"):
        parse_spr(entry)


@pytest.mark.parametrize("entry", ["", "abc", "1/0", "--1", "1/2/3", "x=2"])
def test_malformed_entries_are_refused(entry):
    with pytest.raises(SprFormatError):
        parse_spr(entry)


def test_a_long_decimal_may_be_rounded_or_truncated_when_it_fills_the_field():
    assert spr_matches(".6666", ["2/3"])
    assert spr_matches(".6667", ["2/3"])
    assert spr_matches("0.666", ["2/3"])
    assert spr_matches("0.667", ["2/3"])
    assert not spr_matches(".66", ["2/3"])  # too short: does not fill the field
    assert not spr_matches("0.67", ["2/3"])


def test_exact_values():
    assert parse_spr("7/2") == Fraction(7, 2)
    assert parse_spr("-.5") == Fraction(-1, 2)
