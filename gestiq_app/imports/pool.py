"""Validation on every core: a process pool that validates a chunk's rows in parallel (marshmallow is CPU-bound).

The row validator touches no database, so forked workers only run Python; the parent keeps all database
work. Used by the inline runner (CLI, scripts, benchmark) when asked; Huey workers scale with processes.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from gestiq_app.imports.validation import RowResult, RowValidator

_validator: RowValidator | None = None


def _validate_slice(arguments: tuple[RowValidator, list[tuple]]) -> list[RowResult]:
    validator, items = arguments
    return [validator.validate(data or {}) if edited else validator.validate_raw(raw) for _, _, raw, data, edited in items]


class ValidationPool:
    """A fork-based pool of `processes` workers (default: the CPU count); use as a context manager."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or os.cpu_count() or 1
        self._pool: Any = None

    def __enter__(self) -> ValidationPool:
        self._pool = multiprocessing.get_context("fork").Pool(self.processes)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.terminate()
        self._pool.join()

    def validate(self, validator: RowValidator, items: list[Any]) -> list[RowResult]:
        """Validate a chunk split in one slice per worker; results come back in the chunk's order."""
        rows = [tuple(item) for item in items]
        size = max(1, -(-len(rows) // self.processes))
        slices = [(validator, rows[start:start + size]) for start in range(0, len(rows), size)]
        return [result for part in self._pool.map(_validate_slice, slices) for result in part]
