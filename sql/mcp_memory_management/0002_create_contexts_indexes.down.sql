-- mcp_memory_management 0002: drop the contexts indexes
DROP INDEX contexts_expires_at_idx;
DROP INDEX contexts_scope_owner_idx;
