-- mcp_web_access 0002: drop the cache_entries indexes
DROP INDEX cache_entries_expires_at_idx;
