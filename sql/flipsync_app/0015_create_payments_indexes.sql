-- flipsync_app 0015: payments of an order; reconciliation of unsettled payments
CREATE INDEX payments_order_id_idx ON payments (order_id);
CREATE INDEX payments_unsettled_created_at_idx ON payments (created_at)
    WHERE status IN ('pending', 'authorized');
