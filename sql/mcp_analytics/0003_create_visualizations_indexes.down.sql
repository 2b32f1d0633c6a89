-- mcp_analytics 0003: drop the visualizations indexes
DROP INDEX visualizations_dataset_id_idx;
