#!/bin/sh
# First start of the production database container: CKAN's role and database, the DataStore
# database and its read-only role (as CKAN's documentation describes them).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<-SQL
    CREATE ROLE "$CKAN_DB_USER" WITH LOGIN PASSWORD '$CKAN_DB_PASSWORD';
    CREATE DATABASE "$CKAN_DB" OWNER "$CKAN_DB_USER" ENCODING 'UTF8';
    CREATE ROLE "$DATASTORE_READONLY_USER" WITH LOGIN PASSWORD '$DATASTORE_READONLY_PASSWORD';
    CREATE DATABASE "$DATASTORE_DB" OWNER "$CKAN_DB_USER" ENCODING 'UTF8';
SQL
