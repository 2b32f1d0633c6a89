-- flipsync_app 0011: a user's order history; the queue of pending orders
CREATE INDEX orders_user_id_created_at_idx ON orders (user_id, created_at DESC);
CREATE INDEX orders_pending_created_at_idx ON orders (created_at) WHERE status = 'pending';
