"""GraphQL error policy: domain errors pass with codes, everything else is masked, no suggestions."""

import re
from typing import Any

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
        self._annotate(self.execution_context.result)

    def on_stream_result(self, result: Any):  # type: ignore[override]
        """Each result of a subscription, before it is sent."""
        self._annotate(result)
        yield

    @staticmethod
    def _annotate(result: Any) -> None:
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


MASKED = "Unexpected error."


def is_unexpected(error: GraphQLError) -> bool:
    """Raised by our code but not a domain error: its text (SQL, bind parameters...) is private."""
    return error.original_error is not None and not is_domain(error)


def mask_unexpected(result: Any) -> Any:
    """Replace unexpected errors with a generic one, wherever they were raised (resolvers,
    extensions, the compiled path): the last step before a result is serialized."""
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [
            GraphQLError(MASKED, nodes=e.nodes, path=e.path) if is_unexpected(e) else e for e in errors
        ]
    return result


def mask_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=is_unexpected, error_message=MASKED)
