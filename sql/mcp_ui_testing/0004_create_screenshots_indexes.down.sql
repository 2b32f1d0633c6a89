-- mcp_ui_testing 0004: drop the screenshots indexes
DROP INDEX screenshots_baseline_idx;
DROP INDEX screenshots_test_run_id_idx;
