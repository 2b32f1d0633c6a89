-- mcp_analytics 0001: drop datasets
DROP TABLE datasets;
