-- test_validation 0004: drop test_results
DROP TABLE test_results;
