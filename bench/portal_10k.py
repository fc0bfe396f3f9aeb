"""Grows the development portal to ~10,000 datasets for the page and catalogue benchmarks, by
cloning its public datasets (with their resources, tags and themes) in SQL, then rebuilding the
search index. Run after `make run HCP=1` has filled the portal (~835 datasets); idempotent: clones
are named `<name>-c<n>` and are only added once.

    python bench/portal_10k.py [--target 10000]
    BENCH_PROFILE=bench python bench/portal_10k.py   # the portal `make bench-harvest` filled
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SQL = """
BEGIN;
CREATE TEMP TABLE src AS
  SELECT * FROM package WHERE state = 'active' AND type = 'dataset' AND NOT private AND name NOT LIKE '%-c%';
INSERT INTO package (id, name, title, version, url, notes, author, author_email, maintainer, maintainer_email,
                     state, license_id, type, owner_org, private, metadata_modified, creator_user_id,
                     metadata_created, plugin_data, extras)
  SELECT md5(p.id || '-' || g)::uuid::text, left(p.name, 90) || '-c' || g, p.title, p.version, p.url, p.notes,
         p.author, p.author_email, p.maintainer, p.maintainer_email, p.state, p.license_id, p.type, p.owner_org,
         p.private, p.metadata_modified - make_interval(days => g), p.creator_user_id, p.metadata_created,
         p.plugin_data, p.extras
  FROM src p CROSS JOIN generate_series(1, {copies}) g
  ON CONFLICT DO NOTHING;
INSERT INTO resource (id, url, format, description, position, hash, state, extras, name, resource_type, mimetype,
                      mimetype_inner, size, last_modified, cache_url, cache_last_updated, created, url_type,
                      package_id, metadata_modified)
  SELECT md5(r.id || '-' || g)::uuid::text, r.url, r.format, r.description, r.position, r.hash, r.state, r.extras,
         r.name, r.resource_type, r.mimetype, r.mimetype_inner, r.size, r.last_modified, r.cache_url,
         r.cache_last_updated, r.created, r.url_type, md5(r.package_id || '-' || g)::uuid::text, r.metadata_modified
  FROM resource r JOIN src p ON r.package_id = p.id CROSS JOIN generate_series(1, {copies}) g
  WHERE r.state = 'active' ON CONFLICT DO NOTHING;
INSERT INTO package_tag (id, state, package_id, tag_id)
  SELECT md5(t.id || '-' || g)::uuid::text, t.state, md5(t.package_id || '-' || g)::uuid::text, t.tag_id
  FROM package_tag t JOIN src p ON t.package_id = p.id CROSS JOIN generate_series(1, {copies}) g
  ON CONFLICT DO NOTHING;
INSERT INTO member (id, group_id, table_id, state, table_name, capacity)
  SELECT md5(m.id || '-' || g)::uuid::text, m.group_id, md5(m.table_id || '-' || g)::uuid::text, m.state,
         m.table_name, m.capacity
  FROM member m JOIN src p ON m.table_id = p.id CROSS JOIN generate_series(1, {copies}) g
  WHERE m.table_name = 'package' ON CONFLICT DO NOTHING;
COMMIT;
SELECT count(*) FROM package WHERE state = 'active' AND type = 'dataset';
"""


PROFILE = os.environ.get("BENCH_PROFILE", "development")
DATABASES = {"development": "datagovma", "bench": "datagovma_bench"}


def psql(sql):
    cmd = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", DATABASES[PROFILE]]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    result = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(result.stderr)
    return result.stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=int, default=10_000)
    args = parser.parse_args()
    originals = int(
        psql(
            "SELECT count(*) FROM package WHERE state='active' AND type='dataset' AND NOT private "
            "AND name NOT LIKE '%-c%';"
        )
    )
    if not originals:
        sys.exit(f"the {PROFILE} portal has no public dataset: run `make run HCP=1` (or `make bench-harvest`) first")
    copies = max(0, -(-args.target // originals) - 1)
    total = psql(SQL.format(copies=copies)).splitlines()[-1]
    print(f"{originals} public datasets cloned {copies} times: the portal has {total} datasets")


if __name__ == "__main__":
    main()
