-- mcp_analytics 0005: a dataset's analyses (covers the foreign key); analyses still pending or running
CREATE INDEX analysis_results_dataset_id_created_at_idx ON analysis_results (dataset_id, created_at DESC);
CREATE INDEX analysis_results_unfinished_idx ON analysis_results (created_at) WHERE status IN ('pending', 'running');
