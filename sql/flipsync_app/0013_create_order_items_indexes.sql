-- flipsync_app 0013: foreign-key indexes: lines of an order, sales of a product
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
