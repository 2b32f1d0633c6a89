-- scheduler 0003: drop scheduler_executions
DROP TABLE scheduler_executions;
