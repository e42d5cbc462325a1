"""Run a whole import inline (CLI, scripts/migrate-legacy, benchmark): file → batch → validated → promoted.

The stages are the same services and pipeline the API and the Huey tasks use; only the scheduling differs
(the caller's process runs them one after the other, reporting progress per chunk).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gestiq_app.imports import pipeline, reports, services


@dataclass
class ImportSummary:
    """What an inline import did: the batch, its counts per status, and where the errors report was written."""

    batch_id: uuid.UUID
    state: str
    counts: dict[str, int]
    errors_report: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)


#: Kinds validated row by row (a process pool helps); the others validate whole documents or one entry.
POOLED_KINDS = ("customers", "suppliers", "products")

#: progress(stage, rows_done_in_this_step, total_rows_of_the_stage)
Progress = Callable[[str, int, int], None]


def import_file(*, tenant_id: uuid.UUID, path: Path, kind: str, promote: bool, actor: str, duplicate_policy: str = "error",
                options: dict | None = None, errors_report: Path | None = None, progress: Progress | None = None,
                pool: object = None, processes: int = 1) -> ImportSummary:
    """Import one file for a tenant: stage it, validate it, promote it when asked; write the errors report if any.

    pool: a running `ValidationPool` to validate on; processes > 1 starts one for this import (row-per-entity kinds).
    Promotion then runs on as many threads (PostgreSQL), each promoting its own chunks.
    """
    import time

    notify = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    batch = services.create_batch(tenant_id=tenant_id, data={"kind": kind, "source_name": path.name[:200],
                                                             "options": {**(options or {}), "duplicate_policy": duplicate_policy}},
                                  actor=actor)
    batch_id = batch.id
    own_pool = None
    if pool is None and processes > 1 and kind in POOLED_KINDS:
        from gestiq_app.imports.pool import ValidationPool

        own_pool = ValidationPool(processes).__enter__()
    try:
        # With a pool the rows are validated while they are staged; validation then applies the duplicate policy.
        with path.open("rb") as stream:
            total = services.ingest_file(tenant_id=tenant_id, batch_id=batch_id, stream=stream, filename=path.name,
                                         pool=pool or own_pool).total_items
        timings["ingest"] = time.perf_counter() - started
        notify("ingest", total, total)

        started = time.perf_counter()
        services.request_validation(tenant_id=tenant_id, batch_id=batch_id, enqueue=False)
        pipeline.run_validation(tenant_id=tenant_id, batch_id=batch_id, pool=pool or own_pool,
                                progress=lambda done: notify("validate", done, total))
        timings["validate"] = time.perf_counter() - started
    finally:
        if own_pool is not None:
            own_pool.__exit__(None, None, None)
    counts = services.status_counts(tenant_id=tenant_id, batch_id=batch_id)

    if promote and counts["valid"]:
        started = time.perf_counter()
        services.request_promotion(tenant_id=tenant_id, batch_id=batch_id, enqueue=False)
        workers = max(processes, getattr(pool, "processes", 1) if pool is not None else 1)
        pipeline.run_promotion(tenant_id=tenant_id, batch_id=batch_id, actor=actor, workers=workers,
                               progress=lambda done: notify("promote", done, counts["valid"]))
        timings["promote"] = time.perf_counter() - started
        counts = services.status_counts(tenant_id=tenant_id, batch_id=batch_id)
    report = None
    if counts["invalid"]:
        report = errors_report or path.with_name(f"{path.stem}-errores.csv")
        with report.open("w", encoding="utf-8", newline="") as out:
            for chunk in reports.iter_errors_csv(tenant_id=tenant_id, batch_id=batch_id):
                out.write(chunk)
    from gestiq_app.tenancy.context import tenant_context

    with tenant_context(tenant_id):  # read inside the tenant's context: PostgreSQL's RLS hides the row outside it
        state = services.get_batch(tenant_id=tenant_id, batch_id=batch_id).state
    return ImportSummary(batch_id=batch_id, state=state, counts=counts, errors_report=report, timings=timings)
