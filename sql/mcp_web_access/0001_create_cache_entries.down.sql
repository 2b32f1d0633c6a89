-- mcp_web_access 0001: drop cache_entries
DROP TABLE cache_entries;
