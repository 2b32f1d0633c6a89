-- collab_sessions 0016: drop claim_task
DROP FUNCTION claim_task(text, text);
