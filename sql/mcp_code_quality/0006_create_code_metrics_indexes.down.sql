-- mcp_code_quality 0006: drop the code_metrics indexes
DROP INDEX code_metrics_file_path_metric_name_idx;
DROP INDEX code_metrics_report_id_metric_name_idx;
