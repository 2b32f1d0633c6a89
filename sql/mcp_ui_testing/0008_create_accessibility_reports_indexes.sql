-- mcp_ui_testing 0008: reports of a run (foreign key); a page's history; reports with a given rule violation
CREATE INDEX accessibility_reports_test_run_id_idx ON accessibility_reports (test_run_id);
CREATE INDEX accessibility_reports_page_url_created_at_idx ON accessibility_reports (page_url, created_at DESC);
CREATE INDEX accessibility_reports_violations_gin_idx ON accessibility_reports USING gin (violations jsonb_path_ops);
