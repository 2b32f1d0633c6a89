-- mcp_code_quality 0001: drop analysis_reports
DROP TABLE analysis_reports;
