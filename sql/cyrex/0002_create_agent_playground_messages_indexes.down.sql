-- cyrex 0002: drop the agent_playground_messages indexes
DROP INDEX agent_playground_messages_created_at_idx;
DROP INDEX agent_playground_messages_instance_id_created_at_idx;
