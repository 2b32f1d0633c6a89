-- mcp_code_quality 0008: suggestions of a report (foreign key)
CREATE INDEX refactoring_suggestions_report_id_idx ON refactoring_suggestions (report_id);
