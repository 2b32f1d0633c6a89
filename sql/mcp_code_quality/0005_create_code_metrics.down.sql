-- mcp_code_quality 0005: drop code_metrics
DROP TABLE code_metrics;
