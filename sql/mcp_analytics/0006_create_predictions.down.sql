-- mcp_analytics 0006: drop predictions
DROP TABLE predictions;
