"""GraphQL error policy: domain errors pass with codes, everything else is masked, no suggestions."""

import re

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from crmgraph.errors import DomainError

SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def is_domain(error: GraphQLError) -> bool:
    return isinstance(error.original_error, DomainError)


class DomainErrorCodes(SchemaExtension):
    """Attach ``code``/``status``/details to domain errors and drop schema-leaking suggestions."""

    def on_operation(self):  # type: ignore[override]
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            original = error.original_error
            if isinstance(original, DomainError):
                extra = {k: v for k, v in original.body().items() if k != "error"}
                error.extensions = {
                    **(error.extensions or {}),
                    "code": original.code,
                    "status": original.status,
                    **extra,
                }
            elif original is None:
                error.message = SUGGESTION.sub("", error.message)


def mask_errors() -> MaskErrors:
    return MaskErrors(
        should_mask_error=lambda error: not is_domain(error) and error.original_error is not None
    )
