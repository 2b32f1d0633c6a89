-- orchestrator 0001: drop workflows
DROP TABLE workflows;
