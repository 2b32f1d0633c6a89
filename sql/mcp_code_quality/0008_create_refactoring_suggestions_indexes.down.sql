-- mcp_code_quality 0008: drop the refactoring_suggestions indexes
DROP INDEX refactoring_suggestions_report_id_idx;
