"""Validation on every core: a process pool that validates a chunk's rows in parallel (marshmallow is CPU-bound).

The row validator touches no database, so forked workers only run Python; the parent keeps all database
work. Used by the inline runner (CLI, scripts, benchmark) when asked; Huey workers scale with processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from gestiq_app.imports.validation import RowResult, RowValidator, validate_texts


def _staged_slice(arguments: tuple[RowValidator, str, str, list[tuple]]) -> tuple[str, int]:
    from gestiq_app.imports.writers import staged_lines

    validator, tenant_id, batch_id, rows = arguments
    return staged_lines(validator, tenant_id, batch_id, rows), len(rows)


def _validate_slice(arguments: tuple[RowValidator, list[tuple]]) -> list[tuple]:
    validator, items = arguments
    # Plain tuples travel back faster than pickled dataclasses.
    return [(result.data, result.errors, result.natural_key) for result in validate_texts(validator, items)]


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

    def _slices(self, rows: list[Any]) -> list[list[Any]]:
        """The rows cut into one consecutive slice per worker."""
        size = max(1, -(-len(rows) // self.processes))
        return [rows[start:start + size] for start in range(0, len(rows), size)]

    def submit(self, validator: RowValidator, items: list[Any]) -> Callable[[], list[RowResult]]:
        """Start validating a chunk (one slice per worker) and return a function that waits for its results, in order.

        The caller writes the previous chunk's results while the workers validate this one.
        """
        rows = [(item[2], item[3], item[4]) for item in items]  # (raw text, data text, edited): ids stay in the parent
        pending = self._pool.map_async(_validate_slice, [(validator, part) for part in self._slices(rows)])
        return lambda: [RowResult(*result) for part in pending.get() for result in part]

    def submit_staged(self, validator: RowValidator, tenant_id: Any, batch_id: Any,
                      rows: list[tuple[int, dict[str, Any]]]) -> Callable[[], list[tuple[str, int]]]:
        """Start validating raw (row_number, raw) rows into staged COPY lines (`writers.staged_lines`), one slice per
        worker; return a function that waits for the (text, row count) of each slice, in order."""
        return self._pool.map_async(_staged_slice, [(validator, str(tenant_id), str(batch_id), part) for part in self._slices(rows)]).get

    def validate(self, validator: RowValidator, items: list[Any]) -> list[RowResult]:
        """Validate a chunk and wait for it (results in the chunk's order, data encoded as JSON text)."""
        return self.submit(validator, items)()
