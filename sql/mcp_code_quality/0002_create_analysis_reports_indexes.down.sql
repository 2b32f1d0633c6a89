-- mcp_code_quality 0002: drop the analysis_reports indexes
DROP INDEX analysis_reports_repository_created_at_idx;
