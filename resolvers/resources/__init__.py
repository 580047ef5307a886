"""The resources module: resources (vehicles) with their types, tags, service book, activities,
comments, image gallery and accessory links.

Importing this package registers every resources entity and operation.
"""

from resolvers.resources import (  # noqa: F401 - importing registers the entities and operations
    accessories,
    catalog,
    gallery,
    timeline,
)
