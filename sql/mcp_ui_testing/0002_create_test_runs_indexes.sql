-- mcp_ui_testing 0002: a suite's run history; runs not yet finished
CREATE INDEX test_runs_suite_created_at_idx ON test_runs (suite, created_at DESC);
CREATE INDEX test_runs_unfinished_idx ON test_runs (created_at) WHERE status IN ('queued', 'running');
