-- flipsync_app fixture: a small shop (2k users, 2k products, 4k orders, 30k events): a selective
-- lookup wins from about a thousand rows; events keep 30k rows (~4 block ranges) so that their BRIN
-- index skips most of the table.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md);
-- parent rows get explicit ids, which the copies' own identity sequences never collide with.
SELECT setseed(0.42);

INSERT INTO users (id, email, password_hash, full_name, role, status, last_login_at, created_at)
SELECT i, 'user' || i || '@example.com',
       'scram-sha-256$4096:' || md5(i::text),
       'User ' || i,
       CASE WHEN r < 0.95 THEN 'customer' WHEN r < 0.99 THEN 'seller' ELSE 'admin' END,
       CASE WHEN random() < 0.97 THEN 'active' ELSE 'suspended' END,
       now() - random() * interval '60 days',
       now() - random() * interval '3 years'
FROM (SELECT i, random() AS r FROM generate_series(1, 2000) AS i) s;

-- 30 top-level categories, 300 second-level, 2670 leaves
INSERT INTO categories (id, parent_id, name, slug)
SELECT i,
       CASE WHEN i <= 30 THEN NULL WHEN i <= 330 THEN 1 + (i % 30) ELSE 31 + (i % 300) END,
       'Category ' || i, 'category-' || i
FROM generate_series(1, 3000) AS i;

INSERT INTO suppliers (id, name, contact_email, country, status)
SELECT i, 'Supplier ' || i, 'sales@supplier' || i || '.example', (ARRAY['US','DE','CN','GB','FR','JP'])[1 + i % 6],
       CASE WHEN random() < 0.9 THEN 'active' ELSE 'inactive' END
FROM generate_series(1, 500) AS i;

INSERT INTO products (id, sku, name, description, category_id, supplier_id, price, status, attributes, created_at)
SELECT i, 'SKU-' || lpad(i::text, 6, '0'),
       initcap(adj[1 + floor(random() * 20)::int] || ' ' || noun[1 + floor(random() * 25)::int]),
       'A ' || adj[1 + floor(random() * 20)::int] || ' ' || noun[1 + floor(random() * 25)::int]
           || ' made from ' || mat[1 + floor(random() * 8)::int] || ', ideal for everyday use.',
       331 + floor(random() * 2670)::int,
       1 + floor(random() * 500)::int,
       round((5 + random() * 495)::numeric, 2),
       CASE WHEN r < 0.85 THEN 'active' WHEN r < 0.95 THEN 'draft' ELSE 'archived' END,
       jsonb_build_object('brand', 'brand-' || floor(random() * 200)::int,
                          'color', (ARRAY['red','blue','green','black','white','grey','navy','olive','pink','teal','gold','silver'])[1 + floor(random() * 12)::int],
                          'size', (ARRAY['XS','S','M','L','XL'])[1 + floor(random() * 5)::int]),
       now() - random() * interval '2 years'
FROM (SELECT i, random() AS r,
             ARRAY['wireless','organic','vintage','compact','ergonomic','portable','premium','classic','rustic','modern',
                   'foldable','waterproof','handmade','smart','eco','deluxe','minimalist','heavy-duty','lightweight','retro'] AS adj,
             ARRAY['lamp','chair','backpack','kettle','headphones','mug','blanket','notebook','speaker','toothbrush',
                   'jacket','sneakers','watch','wallet','desk','pillow','bottle','camera','keyboard','planter',
                   'scarf','grill','blender','tent','bicycle'] AS noun,
             ARRAY['bamboo','steel','cotton','leather','oak','recycled plastic','ceramic','wool'] AS mat
      FROM generate_series(1, 2000) AS i) s;

INSERT INTO inventory (product_id, warehouse, quantity, reserved, reorder_level)
SELECT p.id, w.name,
       CASE WHEN random() < 0.05 THEN floor(random() * 10)::int ELSE 60 + floor(random() * 500)::int END,
       floor(random() * 5)::int, 10 + floor(random() * 40)::int
FROM products p
CROSS JOIN LATERAL (SELECT name FROM unnest(ARRAY['WH-BER','WH-NYC','WH-LON','WH-SIN','WH-SAO']) AS name
                    ORDER BY (hashint4(p.id::int # hashtext(name))) LIMIT 2) w;

INSERT INTO orders (id, order_number, user_id, status, total_amount, shipping_address, created_at)
SELECT i, 'FS-' || lpad(i::text, 8, '0'),
       1 + floor(random() * 2000)::int,
       CASE WHEN r < 0.80 THEN 'delivered' WHEN r < 0.88 THEN 'shipped' WHEN r < 0.93 THEN 'paid'
            WHEN r < 0.96 THEN 'pending' WHEN r < 0.99 THEN 'cancelled' ELSE 'refunded' END,
       round((10 + random() * 590)::numeric, 2),
       jsonb_build_object('city', 'City ' || (i % 300), 'country', 'US', 'zip', lpad((i % 99999)::text, 5, '0')),
       now() - (4001 - i) * interval '120 minutes'
FROM (SELECT i, random() AS r FROM generate_series(1, 4000) AS i) s;

INSERT INTO order_items (order_id, product_id, quantity, unit_price, created_at)
SELECT o.id, 1 + floor(random() * 2000)::int, 1 + floor(random() * 3)::int,
       round((5 + random() * 200)::numeric, 2), o.created_at
FROM orders o, generate_series(1, 1 + (o.id % 2)::int) AS n;

INSERT INTO payments (order_id, provider, provider_ref, amount, status, created_at)
SELECT o.id, (ARRAY['stripe','paypal','adyen'])[1 + (o.id % 3)::int], 'pay_' || md5(o.id::text),
       o.total_amount,
       CASE WHEN o.status = 'pending' AND random() < 0.7 THEN 'pending'
            WHEN o.status = 'pending' THEN 'authorized'
            WHEN o.status = 'refunded' THEN 'refunded'
            WHEN o.status = 'cancelled' THEN 'failed'
            ELSE 'captured' END,
       o.created_at + interval '1 minute'
FROM orders o;

INSERT INTO shipping (order_id, carrier, tracking_number, status, address, shipped_at, delivered_at, created_at)
SELECT o.id, (ARRAY['ups','dhl','fedex','usps'])[1 + (o.id % 4)::int], 'TRK' || lpad(o.id::text, 10, '0'),
       CASE WHEN o.status = 'delivered' THEN 'delivered' ELSE 'in_transit' END,
       o.shipping_address,
       o.created_at + interval '1 day',
       CASE WHEN o.status = 'delivered' THEN o.created_at + interval '4 days' END,
       o.created_at + interval '1 day'
FROM orders o
WHERE o.status IN ('shipped', 'delivered');

INSERT INTO reviews (product_id, user_id, rating, title, body, status, created_at)
SELECT 1 + floor(random() * 2000)::int, 1 + floor(random() * 2000)::int,
       (ARRAY[1,2,3,4,4,5,5,5])[1 + floor(random() * 8)::int],
       'Review ' || i, 'Works as described. ' || repeat('Good value. ', 1 + (i % 5)),
       CASE WHEN r < 0.90 THEN 'published' WHEN r < 0.97 THEN 'pending' ELSE 'rejected' END,
       now() - random() * interval '2 years'
FROM (SELECT i, random() AS r FROM generate_series(1, 2500) AS i) s;

-- events arrive in time order (what makes BRIN effective)
INSERT INTO analytics (event_type, user_id, product_id, session_id, properties, occurred_at)
SELECT CASE WHEN r < 0.60 THEN 'page_view' WHEN r < 0.75 THEN 'add_to_cart' WHEN r < 0.90 THEN 'search'
            WHEN r < 0.95 THEN 'checkout' ELSE 'purchase' END,
       1 + floor(random() * 2000)::int, 1 + floor(random() * 2000)::int, 'sess-' || (i / 8),
       jsonb_build_object('campaign', 'spring-sale-' || floor(random() * 400)::int,
                          'device', (ARRAY['mobile','desktop','tablet'])[1 + floor(random() * 3)::int]),
       now() - interval '180 days' + i * interval '518 seconds'
FROM (SELECT i, random() AS r FROM generate_series(1, 30000) AS i) s;
