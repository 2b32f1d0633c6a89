-- test_validation 0003: cases of a suite by status (covers the foreign key); the queue of cases not yet finished
CREATE INDEX test_cases_test_suite_id_status_idx ON test_cases (test_suite_id, status);
CREATE INDEX test_cases_unfinished_idx ON test_cases (created_at) WHERE status IN ('pending', 'running');
