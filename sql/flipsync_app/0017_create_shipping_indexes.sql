-- flipsync_app 0017: shipments of an order; overdue shipments still in transit
CREATE INDEX shipping_order_id_idx ON shipping (order_id);
CREATE INDEX shipping_in_transit_shipped_at_idx ON shipping (shipped_at) WHERE status = 'in_transit';
