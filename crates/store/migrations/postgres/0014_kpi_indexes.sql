-- The KPIs read orders by the time they were confirmed and messages by the
-- time they arrived, per period.
CREATE INDEX orders_confirmed_at ON orders (confirmed_at);
CREATE INDEX messages_received_at ON messages (received_at);
