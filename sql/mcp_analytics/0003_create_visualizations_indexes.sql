-- mcp_analytics 0003: charts of a dataset (foreign key)
CREATE INDEX visualizations_dataset_id_idx ON visualizations (dataset_id);
