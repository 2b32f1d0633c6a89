-- mcp_ui_testing 0003: drop screenshots
DROP TABLE screenshots;
