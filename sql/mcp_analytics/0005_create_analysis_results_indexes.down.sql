-- mcp_analytics 0005: drop the analysis_results indexes
DROP INDEX analysis_results_unfinished_idx;
DROP INDEX analysis_results_dataset_id_created_at_idx;
