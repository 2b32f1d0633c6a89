-- scheduler 0001: drop scheduler_tasks
DROP TABLE scheduler_tasks;
