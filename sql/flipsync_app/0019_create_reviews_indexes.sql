-- flipsync_app 0019: newest reviews of a product; reviews by a user; the moderation queue
CREATE INDEX reviews_product_id_created_at_idx ON reviews (product_id, created_at DESC);
CREATE INDEX reviews_user_id_idx ON reviews (user_id);
CREATE INDEX reviews_pending_created_at_idx ON reviews (created_at) WHERE status = 'pending';
