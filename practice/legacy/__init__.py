"""Importing the two legacy SQLite apps (SAT Prep Suite and the Leitner flashcard app).

SQLite is an import source only: the legacy files are opened read-only with Python's sqlite3.

- `parsing`: one pure function per legacy value kind; `reader`: typed rows per table, in batches.
- `hashers`: the Django password hashers that let imported accounts log in with their old passwords.
- `importer`: the entry point, `legacy_import()`; `base`: the run every import shares (batches, the
  legacy-id map, COPY, the reading thread); `satprep`, `leitner`: one module per source app, each with
  its `tables` registry of source table -> handler.
- `report`: what became of every source row, and progress.
"""
