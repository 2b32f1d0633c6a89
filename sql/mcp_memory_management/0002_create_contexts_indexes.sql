-- mcp_memory_management 0002: contexts of an owner within a scope; expiry sweep
CREATE INDEX contexts_scope_owner_idx ON contexts (scope, owner);
CREATE INDEX contexts_expires_at_idx ON contexts (expires_at) WHERE expires_at IS NOT NULL;
