-- mcp_web_access 0003: drop search_history
DROP TABLE search_history;
