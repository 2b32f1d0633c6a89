-- mcp_code_quality 0006: a report's metrics by name (covers the foreign key); a file's metric trend
CREATE INDEX code_metrics_report_id_metric_name_idx ON code_metrics (report_id, metric_name);
CREATE INDEX code_metrics_file_path_metric_name_idx ON code_metrics (file_path, metric_name, created_at DESC);
