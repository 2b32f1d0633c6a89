-- mcp_ui_testing 0006: foreign-key indexes on both screenshots; the review queue of failed diffs
CREATE INDEX visual_comparisons_baseline_screenshot_id_idx ON visual_comparisons (baseline_screenshot_id);
CREATE INDEX visual_comparisons_candidate_screenshot_id_idx ON visual_comparisons (candidate_screenshot_id);
CREATE INDEX visual_comparisons_failed_idx ON visual_comparisons (created_at DESC) WHERE status = 'failed';
