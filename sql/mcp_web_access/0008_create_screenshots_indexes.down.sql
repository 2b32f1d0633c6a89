-- mcp_web_access 0008: drop the screenshots indexes
DROP INDEX screenshots_url_captured_at_idx;
