-- test_validation 0005: results of a case (foreign key); a metric's trend over time (regression tracking)
CREATE INDEX test_results_test_case_id_idx ON test_results (test_case_id);
CREATE INDEX test_results_metric_name_created_at_idx ON test_results (metric_name, created_at DESC);
