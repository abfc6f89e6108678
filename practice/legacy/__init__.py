"""Reading the two legacy SQLite apps (SAT Prep Suite and the Leitner flashcard app) for import.

SQLite is an import source only: these modules open the legacy files read-only with Python's sqlite3 and
turn their loosely typed values into Python values; nothing here touches PostgreSQL.
"""
