-- mcp_web_access 0004: a requester's recent searches; full-text search over past queries
CREATE INDEX search_history_requested_by_created_at_idx ON search_history (requested_by, created_at DESC);
CREATE INDEX search_history_query_fts_idx ON search_history USING gin (to_tsvector('english', query));
