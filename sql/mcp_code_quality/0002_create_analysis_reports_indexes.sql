-- mcp_code_quality 0002: a repository's report history
CREATE INDEX analysis_reports_repository_created_at_idx ON analysis_reports (repository, created_at DESC);
