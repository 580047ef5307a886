"""The workflows module: definitions (steps and transitions), instances walking them as a state
machine (``resolvers.workflows.engine``), their event history, signals and user tasks.
Importing this package registers the entities and operations."""

from resolvers.workflows import definitions, entities, events, instances, tasks  # noqa: F401 - importing registers them
