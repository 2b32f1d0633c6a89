-- mcp_ui_testing 0004: screenshots of a run (foreign key); the current baseline of a page and viewport
CREATE INDEX screenshots_test_run_id_idx ON screenshots (test_run_id);
CREATE INDEX screenshots_baseline_idx ON screenshots (page_url, viewport, captured_at DESC) WHERE is_baseline;
