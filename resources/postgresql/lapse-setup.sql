-- The broker's admin role in a PostgreSQL 15 target: what it needs to grant, watch and end access, nothing more.
--
-- Run once per cluster by its owner (a superuser, or a role with CREATEROLE and the admin option on
-- pg_signal_backend and pg_read_all_stats), then set the broker's password:
--   psql -d postgres -v broker_role=lapse_broker -f lapse-setup.sql
--   psql -d postgres -c '\password lapse_broker'
-- or pass it in a psql variable: -v broker_password=... (it then travels to the server in the ALTER ROLE
-- statement; \password sends only the SCRAM verifier). Running it again changes nothing that is already right.

-- Stop at the first error: the whole script is one transaction, so a failure leaves the cluster as it was.
\set ON_ERROR_STOP on

-- The role's name, lapse_broker unless given with -v broker_role=...
\if :{?broker_role}
\else
\set broker_role lapse_broker
\endif

BEGIN;

-- Create the role only when it is missing, so the script can be run again.
SELECT format('CREATE ROLE %I', :'broker_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'broker_role') \gexec

-- LOGIN: the broker connects as this role.
-- CREATEROLE: it creates and drops the per-grant login roles and grants them membership in the catalogue's
--   privilege roles (billing_read, ...); on PostgreSQL 15 CREATEROLE may grant any non-superuser role, which is
--   why this role must never be a superuser's peer in anything else.
-- INHERIT: the memberships below act without SET ROLE.
-- NOCREATEDB: it never creates databases. SUPERUSER, REPLICATION and BYPASSRLS are left at their default (off):
--   only a superuser may even name them in ALTER ROLE, and the check at the end refuses a role that has them.
ALTER ROLE :"broker_role" WITH LOGIN CREATEROLE INHERIT NOCREATEDB;

-- pg_signal_backend: pg_terminate_backend() on the per-grant roles' sessions when a grant ends (a CREATEROLE
-- role is not a member of the roles it creates on PostgreSQL 15, so it could not signal them otherwise).
GRANT pg_signal_backend TO :"broker_role";

-- pg_read_all_stats: see every backend in pg_stat_activity (user, state, query), not only its own, so it can
-- find the sessions to end and confirm none is left.
GRANT pg_read_all_stats TO :"broker_role";

-- The password, when given as a variable; hashed by the server as SCRAM-SHA-256 whatever the cluster default.
\if :{?broker_password}
SET LOCAL password_encryption = 'scram-sha-256';
ALTER ROLE :"broker_role" PASSWORD :'broker_password';
\endif

-- Refuse (and roll back) when the role has more than the above: attributes it must not have, or memberships
-- granted before this script ran. Fixing that is the owner's decision, not this script's.
SET LOCAL lapse.broker_role = :'broker_role';
DO $check$
DECLARE
    r pg_roles%ROWTYPE;
    extra text;
BEGIN
    SELECT * INTO r FROM pg_roles WHERE rolname = current_setting('lapse.broker_role');
    IF r.rolsuper OR r.rolreplication OR r.rolbypassrls OR r.rolcreatedb THEN
        RAISE EXCEPTION 'role % has SUPERUSER, REPLICATION, BYPASSRLS or CREATEDB; remove them first', r.rolname;
    END IF;
    SELECT string_agg(g.rolname, ', ' ORDER BY g.rolname) INTO extra
    FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
    WHERE m.member = r.oid AND g.rolname NOT IN ('pg_signal_backend', 'pg_read_all_stats');
    IF extra IS NOT NULL THEN
        RAISE EXCEPTION 'role % is also a member of %; revoke that first', r.rolname, extra;
    END IF;
END
$check$;

COMMIT;
