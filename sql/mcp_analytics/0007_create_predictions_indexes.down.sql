-- mcp_analytics 0007: drop the predictions indexes
DROP INDEX predictions_analysis_result_id_idx;
DROP INDEX predictions_dataset_id_predicted_for_idx;
