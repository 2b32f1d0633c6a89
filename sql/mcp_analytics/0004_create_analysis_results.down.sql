-- mcp_analytics 0004: drop analysis_results
DROP TABLE analysis_results;
