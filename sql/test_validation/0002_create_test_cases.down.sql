-- test_validation 0002: drop test_cases
DROP TABLE test_cases;
