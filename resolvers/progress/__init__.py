"""The progress module: jobs tracking long-running operations (``/progress/jobs``, ``/progress/active``)
and the Python API work reports through (:func:`resolvers.progress.tracker.track`).

Importing this package registers the entity and the operations, and follows search index jobs
(``search_jobs``).
"""

from resolvers.progress import jobs, operations, search_jobs  # noqa: F401 - importing registers them
