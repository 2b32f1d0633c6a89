-- agent_persistence 0001: drop agent_decision_trees
DROP TABLE agent_decision_trees;
