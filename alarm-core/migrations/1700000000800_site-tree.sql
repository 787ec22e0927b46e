-- Up Migration
-- The site tree walked in one place. A site's ancestors (itself first, depth 0, up to the root)
-- and a site's subtree (itself first, depth 0, then its children's, in name order per level) are
-- what every part of Trygg asks of the tree: the address or settings nearest upwards, the
-- institution above a floor, the rooms under an institution. Depth is capped at 16 levels, so a
-- cycle made by hand in the data cannot make a walk run forever.
CREATE FUNCTION trygg_site_ancestors(site text)
RETURNS TABLE (id text, parent_id text, kind text, name text, address text, depth integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH RECURSIVE up AS (
    SELECT s.id, s.parent_id, s.kind, s.name, s.address, 0 AS depth FROM sites s WHERE s.id = site
    UNION ALL
    SELECT p.id, p.parent_id, p.kind, p.name, p.address, up.depth + 1 FROM sites p JOIN up ON p.id = up.parent_id
     WHERE up.depth < 16)
  SELECT id, parent_id, kind, name, address, depth FROM up
$$;

CREATE FUNCTION trygg_site_subtree(site text)
RETURNS TABLE (id text, parent_id text, kind text, name text, address text, depth integer, path text[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH RECURSIVE down AS (
    SELECT s.id, s.parent_id, s.kind, s.name, s.address, 0 AS depth, ARRAY[s.name, s.id] AS path FROM sites s WHERE s.id = site
    UNION ALL
    SELECT c.id, c.parent_id, c.kind, c.name, c.address, down.depth + 1, down.path || ARRAY[c.name, c.id]
      FROM sites c JOIN down ON c.parent_id = down.id
     WHERE down.depth < 16)
  SELECT id, parent_id, kind, name, address, depth, path FROM down
$$;

-- Down Migration
DROP FUNCTION trygg_site_subtree(text);
DROP FUNCTION trygg_site_ancestors(text);
