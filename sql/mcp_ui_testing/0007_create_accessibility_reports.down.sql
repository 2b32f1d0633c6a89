-- mcp_ui_testing 0007: drop accessibility_reports
DROP TABLE accessibility_reports;
