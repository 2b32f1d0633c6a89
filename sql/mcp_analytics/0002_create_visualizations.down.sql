-- mcp_analytics 0002: drop visualizations
DROP TABLE visualizations;
