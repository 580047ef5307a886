"""Strawberry GraphQL schema: types generated from entity declarations plus hand-written domain fields."""
