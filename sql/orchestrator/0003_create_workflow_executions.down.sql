-- orchestrator 0003: drop workflow_executions
DROP TABLE workflow_executions;
