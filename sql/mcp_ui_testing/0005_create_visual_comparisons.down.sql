-- mcp_ui_testing 0005: drop visual_comparisons
DROP TABLE visual_comparisons;
