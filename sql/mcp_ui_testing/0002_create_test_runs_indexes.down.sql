-- mcp_ui_testing 0002: drop the test_runs indexes
DROP INDEX test_runs_unfinished_idx;
DROP INDEX test_runs_suite_created_at_idx;
