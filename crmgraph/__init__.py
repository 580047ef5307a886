"""Core of the CRM GraphQL gateway: config, database, auth, app factory and CLI."""
