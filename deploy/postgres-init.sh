#!/bin/sh
# Runs once when the PostgreSQL container's data folder is first made: an owner role that
# runs migrations and an app role that `flask setup-db` grants read-and-append only.
set -eu
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
CREATE ROLE reviewapp_owner LOGIN PASSWORD '${OWNER_DB_PASSWORD}';
CREATE ROLE reviewapp_app LOGIN PASSWORD '${APP_DB_PASSWORD}';
CREATE DATABASE reviewapp OWNER reviewapp_owner;
REVOKE ALL ON DATABASE reviewapp FROM PUBLIC;
GRANT CONNECT ON DATABASE reviewapp TO reviewapp_app;
SQL
psql -v ON_ERROR_STOP=1 --username postgres --dbname reviewapp <<SQL
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO reviewapp_owner;
SQL
