"""Bounds on what one import file may make the importer read, decompress or keep.

A 46 KB XLSX whose shared strings expand a thousandfold kept a web worker busy
for 24 s, and the 10 MB upload cap let through files that decompress to
gigabytes. Every reader checks these bounds *while* it streams (before
openpyxl sees an archive, as rows and cells arrive), so a hostile file costs
at most the work these numbers allow and ends as an error in the import
report, never as an exception or an exhausted worker.

The defaults are generous for real registries (the whole district has a few
thousand talents; Excel itself caps a cell at 32,767 characters). They live in
this one frozen dataclass until the typed settings object has an ``[import]``
section; callers pass another instance to change them.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int = 32 * MIB
    """The file as uploaded or read from disk."""
    max_records: int = 50_000
    """JSON Lines lines, or spreadsheet rows (the header included)."""
    max_line_bytes: int = 1 * MIB
    """One JSON Lines line, in bytes of UTF-8."""
    max_json_depth: int = 10
    """Nesting of ``[`` and ``{`` in one JSON line (a talent record needs 3)."""
    max_cell_chars: int = 32_767
    """One CSV field or XLSX cell (Excel's own limit)."""
    max_columns: int = 64
    """Cells in one spreadsheet row (the format has 22 columns); an XLSX row is read only this wide."""
    max_zip_members: int = 500
    """Parts in an XLSX archive."""
    max_member_bytes: int = 32 * MIB
    """One decompressed XLSX part (a worksheet, the shared strings)."""
    max_unzipped_bytes: int = 64 * MIB
    """All decompressed XLSX parts together."""
    max_shared_strings: int = 100_000
    """Entries in an XLSX's shared-string table, which openpyxl reads whole and at ~40 µs each."""
    max_shared_string_chars: int = 16 * MIB
    """Characters of all shared strings together."""


DEFAULT_LIMITS = ImportLimits()


class ImportFileError(ValueError):
    """The rest of the file cannot be read (unreadable, or beyond a limit); the message says why."""
