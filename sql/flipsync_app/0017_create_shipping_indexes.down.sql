-- flipsync_app 0017: drop the shipping indexes
DROP INDEX shipping_in_transit_shipped_at_idx;
DROP INDEX shipping_order_id_idx;
