-- flipsync_app 0015: drop the payments indexes
DROP INDEX payments_unsettled_created_at_idx;
DROP INDEX payments_order_id_idx;
