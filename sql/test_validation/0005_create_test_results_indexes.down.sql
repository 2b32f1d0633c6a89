-- test_validation 0005: drop the test_results indexes
DROP INDEX test_results_metric_name_created_at_idx;
DROP INDEX test_results_test_case_id_idx;
