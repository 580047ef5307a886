"""The entities module: custom entities, custom field definitions (which govern the custom values of
every entity: kinds, required fields, options, encryption), encryption maps, records of custom
entities, relation options and the sidebar's entities.

Importing this package registers the entities and operations and installs the definitions-aware
custom field policy (``resolvers.entities.policy``).
"""

from resolvers.entities import custom, definitions, encryption, options, records  # noqa: F401
from resolvers.entities.policy import DefinitionsPolicy
from resolvers.entity import install_custom_field_policy

install_custom_field_policy(DefinitionsPolicy())
