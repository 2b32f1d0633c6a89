-- mcp_web_access 0004: drop the search_history indexes
DROP INDEX search_history_query_fts_idx;
DROP INDEX search_history_requested_by_created_at_idx;
