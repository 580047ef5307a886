"""The data sync module: mappings of declared entities, schedules, and runs that import or export
records as an arq job reporting progress through ``resolvers.progress.tracker``.

Importing this package registers the entities and the operations.
"""

from resolvers.data_sync import entities, runs, schedules  # noqa: F401 - importing registers them
