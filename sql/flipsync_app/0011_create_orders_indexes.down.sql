-- flipsync_app 0011: drop the orders indexes
DROP INDEX orders_pending_created_at_idx;
DROP INDEX orders_user_id_created_at_idx;
