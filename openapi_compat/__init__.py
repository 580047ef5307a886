"""REST compatibility layer: the documented routes as thin adapters over the resolvers."""
