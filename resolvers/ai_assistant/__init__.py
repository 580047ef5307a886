"""The AI assistant module: chat and routing through an OpenAI-compatible chat-completions provider
(base URL ``AI_API_URL``; key and model from the tenant's ``ai_assistant_openai`` integration or the
settings), the query operations the caller may run offered as tools, and session keys for tool
calls. Without a provider every operation answers with ``configured: false``.

Importing this package registers the operations.
"""

from resolvers.ai_assistant import operations  # noqa: F401 - importing registers them
