"""The progress module's demo data: a finished reindex and an import under way."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.progress import ProgressJob
from resolvers.crud import service
from resolvers.progress.jobs import PROGRESS_JOB
from resolvers.progress.operations import JobReport, update_job

JOBS = [
    {
        "jobType": "customers.people.reindex",
        "name": "Customer search reindex",
        "description": "Rebuilt the search tokens of every person and company.",
        "totalCount": 14,
        "report": {"processedCount": 14, "message": "14 customers indexed", "status": "completed"},
    },
    {
        "jobType": "insurance.policies.import",
        "name": "Insurance policy import",
        "description": "Policies from the insurer's quarterly export (policies.csv).",
        "totalCount": 120,
        "cancellable": True,
        "report": {"processedCount": 48, "message": "Reading policies.csv"},
    },
]


async def seed(seeder: DemoSeeder) -> None:
    """One finished and one running job, written through the commands (looked up by name)."""
    for spec in JOBS:
        query = select(ProgressJob.id).where(
            ProgressJob.tenant_id == seeder.ctx.tenant_id(), ProgressJob.name == spec["name"]
        )
        async with seeder.ctx.read_session() as session:
            found = await session.scalar(query.limit(1))
        if found is None:
            body = {key: value for key, value in spec.items() if key != "report"}
            job, _ = await service(PROGRESS_JOB).create(seeder.ctx, body)
            await update_job(seeder.ctx, JobReport(id=str(job.id), **spec["report"]))
            found = job.id
        seeder.ids[f"progress:{spec['name']}"] = found
