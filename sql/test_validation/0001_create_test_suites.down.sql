-- test_validation 0001: drop test_suites
DROP TABLE test_suites;
