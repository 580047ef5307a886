"""Import every module's routes (and so its entities). Add a module here to mount it."""

from openapi_compat import api_keys, auth, customers, directory  # noqa: F401
