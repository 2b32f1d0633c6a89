-- mcp_code_quality 0007: drop refactoring_suggestions
DROP TABLE refactoring_suggestions;
