-- mcp_analytics 0007: a dataset's predictions over time (covers the foreign key); predictions of an analysis
CREATE INDEX predictions_dataset_id_predicted_for_idx ON predictions (dataset_id, predicted_for);
CREATE INDEX predictions_analysis_result_id_idx ON predictions (analysis_result_id);
