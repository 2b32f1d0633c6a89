-- mcp_web_access 0002: purge of expired entries
CREATE INDEX cache_entries_expires_at_idx ON cache_entries (expires_at);
