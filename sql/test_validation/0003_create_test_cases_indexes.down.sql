-- test_validation 0003: drop the test_cases indexes
DROP INDEX test_cases_unfinished_idx;
DROP INDEX test_cases_test_suite_id_status_idx;
