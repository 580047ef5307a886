"""The business_rules module: rules (a condition in a safe expression language over an entity
payload, actions on either outcome), rule sets with ordered members, execution and its log.
Importing this package registers the entities and operations."""

from resolvers.business_rules import entities, execution, members, reads  # noqa: F401 - importing registers them
from resolvers.business_rules.execution import applicable_rules, run_rule

__all__ = ["applicable_rules", "run_rule"]
