"""Search index jobs (``resolvers.search.jobs``: reindex, purge, embeddings) followed as progress
jobs: a run started by a user gets a ``progress_jobs`` row (``search.<kind>.<action>``) in the
user's tenant and organization, kept in step with the run (processed/total/percent/ETA, heartbeat)
and finished with it; cancelling that progress job cancels the run at its next batch. The search
job row stays the lock and the search routes' status; runs with no organization (``crmgraph
reindex``) show a console bar instead."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from models.progress import ProgressJob
from models.search import SearchIndexJob
from resolvers.progress.jobs import eta_of, finish, now, percent_of
from resolvers.scope import parse_uuid
from resolvers.search.jobs import ACTIVE, PROGRESS_HOOKS

STATUSES = {"done": "completed", "failed": "failed", "cancelled": "cancelled"}


def progress_job_id(search_job_id: uuid.UUID) -> uuid.UUID:
    """The progress job of a search job run: derived, so a rerun of the arq job finds the same row."""
    return uuid.uuid5(search_job_id, "progress")


class SearchJobProgress:
    """One search job run as a progress job (see the module docstring)."""

    def __init__(self, sessionmaker: Any, job: SearchIndexJob) -> None:
        self.sessionmaker, self.job, self.id = sessionmaker, job, progress_job_id(job.id)

    async def start(self, total: int) -> None:
        job, stamp = self.job, now()
        async with self.sessionmaker() as session:
            if await session.get(ProgressJob, self.id) is None:
                session.add(
                    ProgressJob(
                        id=self.id,
                        tenant_id=job.tenant_id,
                        organization_id=job.organization_id,
                        job_type=f"search.{job.kind}.{job.action}",
                        name=f"Search index {job.action} ({job.kind})",
                        description=f"Entity type {job.entity_type}"
                        if job.entity_type
                        else "Every entity type",
                        status="running",
                        progress_percent=0 if total else 100,
                        processed_count=0,
                        total_count=total or None,
                        cancellable=True,
                        started_by_user_id=parse_uuid(job.created_by),
                        meta={"searchJobId": str(job.id)},
                        started_at=stamp,
                        heartbeat_at=stamp,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
                await session.commit()

    async def advance(self, processed: int, total: int) -> None:
        """Report; a cancellation requested on the progress job cancels the search job, whose run
        stops when it next writes its progress."""
        async with self.sessionmaker() as session:
            row = await session.get(ProgressJob, self.id, with_for_update=True)
            if row is None or row.status != "running":
                return
            stamp = now()
            row.processed_count, row.total_count = processed, total or None
            row.progress_percent = percent_of(processed, total) or 0
            row.eta_seconds = eta_of(row, stamp)
            row.heartbeat_at = row.updated_at = stamp
            if row.cancel_requested_at is not None:
                await session.execute(
                    update(SearchIndexJob)
                    .where(SearchIndexJob.id == self.job.id, SearchIndexJob.status.in_(ACTIVE))
                    .values(status="cancelled", finished_at=stamp)
                )
            await session.commit()

    async def finish(self, status: str) -> None:
        async with self.sessionmaker() as session:
            row = await session.get(ProgressJob, self.id, with_for_update=True)
            if row is not None and row.status == "running":
                if status == "done":
                    row.progress_percent, row.eta_seconds = 100, 0
                finish(row, STATUSES.get(status, "failed"))
                await session.commit()


def follow(sessionmaker: Any, job: SearchIndexJob) -> SearchJobProgress | None:
    """A progress job for runs a user started in an organization (the route-started ones)."""
    return SearchJobProgress(sessionmaker, job) if job.organization_id is not None else None


PROGRESS_HOOKS.append(follow)
