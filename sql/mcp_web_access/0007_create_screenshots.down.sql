-- mcp_web_access 0007: drop screenshots
DROP TABLE screenshots;
