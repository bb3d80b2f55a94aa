-- ticketing_router 1.2 -> 1.3: the router follows the core extension's version (shards
-- and router must run the same one; ticketing.cluster_status() checks).
\echo Use "ALTER EXTENSION ticketing_router UPDATE TO '1.3'" to load this file. \quit
