-- flipsync_app 0013: drop the order_items indexes
DROP INDEX order_items_product_id_idx;
DROP INDEX order_items_order_id_idx;
