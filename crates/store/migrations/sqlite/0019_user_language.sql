-- The language a user chose for the screens (de, en); NULL follows the browser.
ALTER TABLE users ADD COLUMN language TEXT;
