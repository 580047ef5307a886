"""Import every module's routes (and so its entities and operations). Add a module here to mount it."""

from openapi_compat import api_keys, auth, customers, directory  # noqa: F401
from openapi_compat.operations import mount_operations

mount_operations()
