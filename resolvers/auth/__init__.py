"""Auth module: users, roles, ACLs, sessions, password reset, profile and preferences."""
