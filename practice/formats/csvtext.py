"""Reading an uploaded CSV as text: the checks and the delimiter guess every CSV import shares (flashcards,
rosters). Each import passes its own exception class, raised with a list of messages for the person."""


def decode(data: bytes, refused: type[Exception]) -> str:
    """The upload as text, or `refused([message])` when it is empty, UTF-16, binary or not UTF-8."""
    if not data.strip():
        raise refused(["The file is empty."])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refused(["The file is UTF-16 text. Save it as “CSV UTF-8” and upload it again."])
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        raise refused(
            [
                "This is not a CSV text file (it contains binary data). If it is a spreadsheet "
                "(.xlsx, .ods, .numbers), save it as “CSV UTF-8” first."
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise refused(
            [
                f"The file is not UTF-8 text (line {line} has a byte that is not UTF-8). Save it as "
                "“CSV UTF-8” and upload it again."
            ]
        ) from exc


def delimiter(first_line: str, required, max_columns: int) -> str:
    """Comma, or the semicolon or tab some spreadsheets write, whichever splits out the required columns
    from the header line (a header of at most `max_columns` splits whole; a longer one is refused anyway)."""
    for candidate in (",", ";", "\t"):
        names = {name.strip().lower() for name in first_line.split(candidate, max_columns)}
        if set(required) <= names:
            return candidate
    return ","
