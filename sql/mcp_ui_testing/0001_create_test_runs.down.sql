-- mcp_ui_testing 0001: drop test_runs
DROP TABLE test_runs;
