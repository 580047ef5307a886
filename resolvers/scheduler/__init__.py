"""The scheduler module: scheduled jobs (cron or interval, organization or tenant wide) whose targets
are schedulable arq jobs or declared commands, run by arq (``engine``), with a record of every run.

Other modules make an arq job schedulable with ``targets.queue_target``.

Importing this package registers the entities, the operations, the built-in targets and the
upgrade action that installs the default schedules.
"""

from resolvers.scheduler import builtins, defaults, executions, jobs  # noqa: F401 - importing registers them
from resolvers.scheduler.targets import queue_target

__all__ = ["queue_target"]
