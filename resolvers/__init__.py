"""Domain service layer: entity declarations, queries and commands. The one place business logic lives."""
