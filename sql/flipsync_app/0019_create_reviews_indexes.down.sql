-- flipsync_app 0019: drop the reviews indexes
DROP INDEX reviews_pending_created_at_idx;
DROP INDEX reviews_user_id_idx;
DROP INDEX reviews_product_id_created_at_idx;
