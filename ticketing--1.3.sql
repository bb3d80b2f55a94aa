-- ticketing 1.3: oversell-proof ticket claims inside the backend (full install script).
\echo Use "CREATE EXTENSION ticketing" to load this file. \quit

-- Every function and operator this script names is qualified with its schema, in
-- column defaults and constraints too: CREATE EXTENSION runs it with the schema
-- ticketing first on search_path, where nobody else's objects may resolve a name.

-------------------------------------------------------------------------------
-- The schema: the extension's own, or nothing
-------------------------------------------------------------------------------

-- CREATE EXTENSION creates the schema ticketing when it is missing, and would adopt one
-- that exists. One made by another role (other than a superuser), holding objects
-- already, or letting another role create objects in it could hold a function or
-- operator that a name in this script or in a sale's statements resolves to, run later
-- with the extension owner's rights: refused.
DO $$
DECLARE
    schema_owner name;
    owner_is_superuser boolean;
    objects bigint;
    creators text;
BEGIN
    SELECT r.rolname, r.rolsuper INTO schema_owner, owner_is_superuser
      FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
     WHERE n.nspname OPERATOR(pg_catalog.=) 'ticketing';
    IF NOT FOUND THEN
        RETURN; -- CREATE EXTENSION created it just now
    END IF;
    SELECT pg_catalog.count(*) INTO objects
      FROM pg_catalog.pg_depend d
     WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
       AND d.refobjid OPERATOR(pg_catalog.=) 'ticketing'::pg_catalog.regnamespace
       AND d.classid OPERATOR(pg_catalog.<>) 'pg_catalog.pg_extension'::pg_catalog.regclass;
    SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                      ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END, ', ')
      INTO creators
      FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
     WHERE n.nspname OPERATOR(pg_catalog.=) 'ticketing'
       AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
    -- A schema made by CREATE EXTENSION itself, by the role running it, or by a superuser
    -- (pg_restore recreates it under its old owner) is fine while it is empty and nobody
    -- else may create in it. Anything else could hold a function or operator that a name
    -- in this script or in a sale's statements resolves to, run with the extension
    -- owner's rights.
    IF schema_owner OPERATOR(pg_catalog.<>) CURRENT_USER AND NOT owner_is_superuser THEN
        RAISE EXCEPTION 'schema ticketing already exists and belongs to role %', schema_owner
            USING ERRCODE = 'invalid_schema_definition',
                  HINT = 'The extension creates its own schema: drop or rename the existing one '
                         'after checking what it holds, then run CREATE EXTENSION ticketing again.';
    END IF;
    IF objects OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'schema ticketing already exists and holds % objects', objects
            USING ERRCODE = 'invalid_schema_definition',
                  HINT = 'The extension creates its own schema: drop or rename the existing one '
                         'after checking what it holds, then run CREATE EXTENSION ticketing again.';
    END IF;
    IF creators IS NOT NULL THEN
        RAISE EXCEPTION 'schema ticketing already exists and lets % create objects in it', creators
            USING ERRCODE = 'invalid_schema_definition',
                  HINT = 'Revoke CREATE on schema ticketing from every role but its owner, or drop '
                         'the schema, then run CREATE EXTENSION ticketing again.';
    END IF;
END
$$;

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------

CREATE SEQUENCE ticketing.event_id_seq;

CREATE TABLE ticketing.events (
    event_id           bigint PRIMARY KEY
                       DEFAULT pg_catalog.nextval('ticketing.event_id_seq'::pg_catalog.regclass)
                       CHECK (event_id OPERATOR(pg_catalog.>) 0),
    name               text NOT NULL CHECK (name OPERATOR(pg_catalog.<>) ''),
    starts_at          timestamptz,
    per_customer_limit integer CHECK (per_customer_limit OPERATOR(pg_catalog.>) 0),
    created_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- How many quotas the event has (create_quota, drop_quota): a claim in an event
    -- without quotas takes no quota unit.
    quota_count        integer NOT NULL DEFAULT 0 CHECK (quota_count OPERATOR(pg_catalog.>=) 0),
    -- Whether tickets that come free go to the event's waiting list first (open_waitlist).
    waitlist_open      boolean NOT NULL DEFAULT false
);
ALTER SEQUENCE ticketing.event_id_seq OWNED BY ticketing.events.event_id;

-- One row per sellable ticket. Ticket ids are numbered per event (1, 2, ...), so
-- (event_id, ticket_id) routes to the node that owns the event without a lookup.
CREATE TABLE ticketing.tickets (
    event_id        bigint NOT NULL REFERENCES ticketing.events,
    ticket_id       bigint NOT NULL CHECK (ticket_id OPERATOR(pg_catalog.>) 0),
    seat            text NOT NULL CHECK (seat OPERATOR(pg_catalog.<>) ''),
    status          text NOT NULL DEFAULT 'available'
                    CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['available', 'held', 'sold'])),
    owner           text,
    hold_expires_at timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- A price category (VIP, Standard, ...): what quotas cover and claim_any may ask for.
    category        text NOT NULL DEFAULT 'general'
                    CHECK (category OPERATOR(pg_catalog.<>) ''
                           AND pg_catalog.octet_length(category) OPERATOR(pg_catalog.<=) 100),
    -- Check-in (issue 19): when and at which gate the ticket was admitted. Only a sold
    -- ticket is admitted, and it cannot be released or transferred afterwards; an
    -- admission leaves updated_at (the sale's time, which its code is made from) alone.
    admitted_at     timestamptz,
    admitted_gate   text,
    PRIMARY KEY (event_id, ticket_id),
    UNIQUE (event_id, seat),
    CONSTRAINT tickets_admission_check
        CHECK ((admitted_at IS NULL) OPERATOR(pg_catalog.=) (admitted_gate IS NULL)
               AND (admitted_at IS NULL OR status OPERATOR(pg_catalog.=) 'sold'))
) WITH (fillfactor = 85);

-- These three indexes name status and owner, so a sale is not a HOT update: each sale
-- adds entries to every index of tickets. docs/performance.md measures that cost
-- against what the indexes buy.
--
-- claim_any walks unsold tickets from a random start; sold tickets are not in this
-- index, so the walk stays short however much of the event is sold. Its lock-free walk
-- relies on this exact definition (src/backend/schema_shape.cpp checks it).
CREATE INDEX tickets_claimable_idx ON ticketing.tickets (event_id, ticket_id)
    WHERE status OPERATOR(pg_catalog.<>) 'sold';
-- What a customer owns in an event (per-customer limits, verify()).
CREATE INDEX tickets_owner_idx ON ticketing.tickets (event_id, owner)
    WHERE owner IS NOT NULL;
-- Holds to expire (expire_holds()).
CREATE INDEX tickets_hold_expiry_idx ON ticketing.tickets (hold_expires_at)
    WHERE status OPERATOR(pg_catalog.=) 'held';
-- claim_any(category => ...) walks the unsold tickets of one category from a random start.
CREATE INDEX tickets_category_claimable_idx ON ticketing.tickets (event_id, category, ticket_id)
    WHERE status OPERATOR(pg_catalog.<>) 'sold';
-- A waiting list's walk counts the available tickets of each category: not through the
-- index above, which also holds every held ticket (the offers of a sold-out event).
CREATE INDEX tickets_available_idx ON ticketing.tickets (event_id, category)
    WHERE status OPERATOR(pg_catalog.=) 'available';

-- One row per state change. No foreign key: the log must be cheap to append to and
-- must outlive anything it describes.
CREATE SEQUENCE ticketing.audit_id_seq;

CREATE TABLE ticketing.audit_log (
    audit_id    bigint NOT NULL
                DEFAULT pg_catalog.nextval('ticketing.audit_id_seq'::pg_catalog.regclass),
    event_id    bigint NOT NULL,
    ticket_id   bigint NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    customer    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    txid        xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    -- A transfer (issue 19) goes from sold to sold, names the receiver as `customer` and
    -- the sender here; NULL for every other change.
    transferred_from text,
    PRIMARY KEY (event_id, ticket_id, audit_id)
);
ALTER SEQUENCE ticketing.audit_id_seq OWNED BY ticketing.audit_log.audit_id;

-- One row per (event, customer) that ever claimed in an event with a limit. Claims of
-- one customer lock this row, so they count what each other committed.
CREATE TABLE ticketing.customer_slots (
    event_id   bigint NOT NULL,
    customer   text NOT NULL,
    touched_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (event_id, customer)
);

-- Idempotency keys, scoped per (event, customer), with the request's fingerprint and the
-- result it got. Written in the same transaction as the change it records. The event is
-- part of the key so that a key means the same wherever its event lives (one node, or
-- the shard that owns it).
CREATE TABLE ticketing.idempotency_keys (
    customer        text NOT NULL,
    idempotency_key text NOT NULL,
    event_id        bigint NOT NULL,
    fingerprint     text NOT NULL,
    outcome         text,
    ticket_ids      bigint[],
    seats           text[],
    at              timestamptz,
    hold_expires_at timestamptz,
    remaining       bigint,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (event_id, customer, idempotency_key)
);
CREATE INDEX idempotency_keys_created_idx ON ticketing.idempotency_keys (created_at);

-- Which shard of a cluster this node is (set with set_shard(); no row: a node of its
-- own). An event belongs to shard shard_of(event_id, shard_count), PL/Proxy's
-- `RUN ON hashint8(event_id)` over shard_count partitions.
CREATE TABLE ticketing.shard_identity (
    one_row     boolean PRIMARY KEY DEFAULT true CHECK (one_row),
    shard_index integer NOT NULL,
    shard_count integer NOT NULL,
    CHECK (shard_count OPERATOR(pg_catalog.>=) 1 AND shard_count OPERATOR(pg_catalog.<=) 1024
           AND (shard_count OPERATOR(pg_catalog.&) (shard_count OPERATOR(pg_catalog.-) 1))
               OPERATOR(pg_catalog.=) 0),
    CHECK (shard_index OPERATOR(pg_catalog.>=) 0 AND shard_index OPERATOR(pg_catalog.<) shard_count)
);

-- Quotas (issue 18): a cap on how many tickets of some categories may be sold or held
-- together. A ticket counts in every quota that covers its category. A quota's units are
-- kept in stripes: `remaining` per stripe, never below zero (CHECK), so no interleaving
-- of sales can take more units than the quota's size. A sale or hold of an available
-- ticket takes one unit from a stripe of each covering quota (a stripe nobody else holds
-- locked: SKIP LOCKED from a random one, so concurrent buyers spread over the stripes
-- instead of queueing on one counter row); a release, refund, lapsed hold or abandoned
-- cart gives it back. Updating `remaining`, which no index covers, is a HOT update.
-- docs/design.md, "Quotas", says why stripes and not one counter.
CREATE SEQUENCE ticketing.quota_id_seq;

CREATE TABLE ticketing.quotas (
    event_id   bigint NOT NULL REFERENCES ticketing.events,
    quota_id   bigint NOT NULL
               DEFAULT pg_catalog.nextval('ticketing.quota_id_seq'::pg_catalog.regclass),
    name       text NOT NULL CHECK (name OPERATOR(pg_catalog.<>) ''
                                    AND pg_catalog.octet_length(name) OPERATOR(pg_catalog.<=) 100),
    size       integer NOT NULL CHECK (size OPERATOR(pg_catalog.>=) 0),
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (event_id, quota_id),
    UNIQUE (event_id, name)
);
ALTER SEQUENCE ticketing.quota_id_seq OWNED BY ticketing.quotas.quota_id;

-- Which categories a quota covers.
CREATE TABLE ticketing.quota_categories (
    event_id bigint NOT NULL,
    quota_id bigint NOT NULL,
    category text NOT NULL,
    PRIMARY KEY (event_id, category, quota_id),
    FOREIGN KEY (event_id, quota_id) REFERENCES ticketing.quotas ON DELETE CASCADE
);

-- Stripes a give-back adds when every stripe of its quota is locked by a claim (so it
-- never waits for one): numbered from 1024 on, past the ones create_quota makes.
CREATE SEQUENCE ticketing.quota_stripe_seq MINVALUE 1024 START 1024;

CREATE TABLE ticketing.quota_stripes (
    event_id  bigint NOT NULL,
    quota_id  bigint NOT NULL,
    stripe    integer NOT NULL,
    remaining integer NOT NULL CHECK (remaining OPERATOR(pg_catalog.>=) 0),
    PRIMARY KEY (event_id, quota_id, stripe),
    FOREIGN KEY (event_id, quota_id) REFERENCES ticketing.quotas ON DELETE CASCADE
) WITH (fillfactor = 50);

-- Carts (issue 18): many holds under one token that expire together and are bought in
-- one step, all or nothing. The token is returned once by open_cart(); only its SHA-256
-- is stored. An item is a hold of the cart's customer (status held, hold_expires_at the
-- cart's expiry); cart_items remembers what was put in, so a checkout can tell which
-- item lapsed and was taken by someone else.
CREATE SEQUENCE ticketing.cart_id_seq;

CREATE TABLE ticketing.carts (
    event_id   bigint NOT NULL REFERENCES ticketing.events,
    cart_id    bigint NOT NULL
               DEFAULT pg_catalog.nextval('ticketing.cart_id_seq'::pg_catalog.regclass),
    token_hash bytea NOT NULL UNIQUE,
    customer   text NOT NULL,
    status     text NOT NULL DEFAULT 'open'
               CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['open', 'checked_out', 'abandoned'])),
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (event_id, cart_id)
);
ALTER SEQUENCE ticketing.cart_id_seq OWNED BY ticketing.carts.cart_id;
-- Open carts by expiry (expire_holds()).
CREATE INDEX carts_open_expiry_idx ON ticketing.carts (expires_at)
    WHERE status OPERATOR(pg_catalog.=) 'open';

CREATE TABLE ticketing.cart_items (
    event_id  bigint NOT NULL,
    cart_id   bigint NOT NULL,
    ticket_id bigint NOT NULL,
    PRIMARY KEY (event_id, cart_id, ticket_id),
    FOREIGN KEY (event_id, cart_id) REFERENCES ticketing.carts ON DELETE CASCADE
);

-------------------------------------------------------------------------------
-- Check-in and transfer (issue 19): tables
-------------------------------------------------------------------------------

-- The secret that ticket codes are MACs under (src/backend/ticket_codes.cpp): 256 random
-- bits, readable by the extension's owner only (nothing is granted on it). The calls use
-- the oldest row: a restore of a dump loads the dumped secret beside the one CREATE
-- EXTENSION made, and the dumped one, older, keeps the restored tickets' codes working.
-- rotate_code_secret() (superuser only) replaces every row with a new secret: every code
-- made before stops working, and owners look their codes up again (ticket_codes()).
CREATE TABLE ticketing.code_secret (
    secret     bytea PRIMARY KEY CHECK (pg_catalog.octet_length(secret) OPERATOR(pg_catalog.>=) 32),
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Every admission at a gate, and every time an offline gate's earlier scan replaced the
-- one recorded (previous_gate, previous_admitted_at: the admission it replaced). The
-- latest row of a ticket is what tickets.admitted_at and admitted_gate say (verify()).
CREATE SEQUENCE ticketing.admission_id_seq;

CREATE TABLE ticketing.admissions (
    admission_id         bigint NOT NULL
                         DEFAULT pg_catalog.nextval('ticketing.admission_id_seq'::pg_catalog.regclass),
    event_id             bigint NOT NULL,
    ticket_id            bigint NOT NULL,
    customer             text NOT NULL,   -- the ticket's owner when it was admitted
    gate                 text NOT NULL,
    admitted_at          timestamptz NOT NULL,   -- the scan's time
    previous_gate        text,
    previous_admitted_at timestamptz,
    recorded_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    txid                 xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    PRIMARY KEY (event_id, ticket_id, admission_id)
);
ALTER SEQUENCE ticketing.admission_id_seq OWNED BY ticketing.admissions.admission_id;

SELECT pg_catalog.pg_extension_config_dump('ticketing.code_secret', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.admissions', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.admission_id_seq', '');

-- pg_dump keeps the inventory and its history.
SELECT pg_catalog.pg_extension_config_dump('ticketing.events', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.tickets', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.audit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.customer_slots', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.idempotency_keys', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.shard_identity', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.quotas', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.quota_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.quota_categories', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.quota_stripes', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.quota_stripe_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.carts', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.cart_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.cart_items', '');

-------------------------------------------------------------------------------
-- Result types
-------------------------------------------------------------------------------

-- What every single-ticket call answers. `outcome` is a value, not an error; another
-- customer's identity is never part of it.
CREATE TYPE ticketing.ticket_result AS (
    outcome         text,
    event_id        bigint,
    ticket_id       bigint,
    seat            text,
    owner_is_you    boolean,
    at              timestamptz,
    hold_expires_at timestamptz,
    quota           text, -- quota_exhausted: the quota that has no unit left
    code            text  -- the ticket's code when the answer gives you a sold ticket
);

-- What a multi-ticket call answers. On success ticket_ids/seats are the customer's
-- tickets; when blocked, the tickets in the way; `remaining` is set when there were
-- not enough (insufficient, sold_out, busy).
CREATE TYPE ticketing.order_result AS (
    outcome         text,
    event_id        bigint,
    ticket_ids      bigint[],
    seats           text[],
    remaining       bigint,
    at              timestamptz,
    hold_expires_at timestamptz,
    quota           text,
    codes           text[] -- the tickets' codes when the answer gives you sold tickets
);

CREATE TYPE ticketing.event_counts AS (
    event_id  bigint,
    total     bigint,
    available bigint,
    held      bigint,
    sold      bigint
);

CREATE TYPE ticketing.violation AS (
    event_id  bigint,
    ticket_id bigint,
    problem   text,
    detail    text
);

-- One claim request: a given ticket, or any seat when ticket_id is NULL.
CREATE TYPE ticketing.claim_request AS (
    ticket_id       bigint,
    customer        text,
    idempotency_key text
);

CREATE TYPE ticketing.batch_result AS (
    request_no integer,
    outcome    text,
    ticket_id  bigint,
    seat       text,
    at         timestamptz,
    quota      text,
    code       text
);
-- One claim_batch request of 1.3: a given ticket or any seat (ticket_id NULL), any seat
-- of a category (category), into a cart (cart: its token).
CREATE TYPE ticketing.batch_request AS (
    ticket_id       bigint,
    customer        text,
    idempotency_key text,
    category        text,
    cart            text
);

CREATE TYPE ticketing.category_counts AS (
    event_id  bigint,
    category  text,
    total     bigint,
    available bigint,
    held      bigint,
    sold      bigint
);

CREATE TYPE ticketing.quota_counts AS (
    event_id   bigint,
    quota      text,
    categories text[],
    size       integer,
    sold       bigint,
    held       bigint,
    available  bigint
);

-- What the cart calls answer: the token only from open_cart.
CREATE TYPE ticketing.cart_result AS (
    outcome    text,
    event_id   bigint,
    token      text,
    expires_at timestamptz,
    ticket_ids bigint[],
    seats      text[]
);


-------------------------------------------------------------------------------
-- Calls (C++). SECURITY DEFINER: an application role needs EXECUTE on these and USAGE
-- on the schema, never rights on the tables. Their statements qualify every name and
-- operator, so the caller's search_path cannot change what they do.
-------------------------------------------------------------------------------

CREATE FUNCTION ticketing.claim_ticket(event_id bigint, ticket_id bigint, customer text,
                                       wait text DEFAULT 'wait',
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_claim_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.release_ticket(event_id bigint, ticket_id bigint, customer text,
                                         idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_release_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.hold_ticket(event_id bigint, ticket_id bigint, customer text,
                                      hold_for interval DEFAULT '10 minutes',
                                      wait text DEFAULT 'wait',
                                      idempotency_key text DEFAULT NULL,
                                      cart text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_hold_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.confirm_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_confirm_hold'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.release_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_release_hold'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.claim_tickets(event_id bigint, ticket_ids bigint[], customer text,
                                        wait text DEFAULT 'wait',
                                        hold_for interval DEFAULT NULL,
                                        idempotency_key text DEFAULT NULL,
                                        cart text DEFAULT NULL)
RETURNS ticketing.order_result
AS 'MODULE_PATHNAME', 'ticketing_claim_tickets'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.claim_any(event_id bigint, customer text,
                                    quantity integer DEFAULT 1,
                                    section text DEFAULT NULL,
                                    seat_prefix text DEFAULT NULL,
                                    adjacent boolean DEFAULT false,
                                    hold_for interval DEFAULT NULL,
                                    idempotency_key text DEFAULT NULL,
                                    category text DEFAULT NULL,
                                    cart text DEFAULT NULL)
RETURNS ticketing.order_result
AS 'MODULE_PATHNAME', 'ticketing_claim_any'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- Many independent claims in one call and one transaction; one answer per request, in
-- request order. It never waits for a row lock (a ticket another transaction has
-- locked answers busy), so one request's conflict never affects another's.
CREATE FUNCTION ticketing.claim_batch(event_id bigint, requests ticketing.claim_request[])
RETURNS SETOF ticketing.batch_result
AS 'MODULE_PATHNAME', 'ticketing_claim_batch'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 100;

-- The same with 1.3's requests: any seat of a category, holds into a cart.
CREATE FUNCTION ticketing.claim_batch(event_id bigint, requests ticketing.batch_request[])
RETURNS SETOF ticketing.batch_result
AS 'MODULE_PATHNAME', 'ticketing_claim_batch'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 100;

-- Carts: a token bound to one customer and one event. Another customer's token answers
-- as an unknown one does (not_found).
-- A retry of open_cart opens another cart (an empty cart costs nothing and expires):
-- it takes no idempotency key, which would have to keep the token.
CREATE FUNCTION ticketing.open_cart(event_id bigint, customer text,
                                    expires_in interval DEFAULT '15 minutes')
RETURNS ticketing.cart_result
AS 'MODULE_PATHNAME', 'ticketing_open_cart'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.extend_cart(event_id bigint, token text, customer text,
                                      extend_by interval)
RETURNS ticketing.cart_result
AS 'MODULE_PATHNAME', 'ticketing_extend_cart'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.checkout_cart(event_id bigint, token text, customer text,
                                        idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
AS 'MODULE_PATHNAME', 'ticketing_checkout_cart'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.abandon_cart(event_id bigint, token text, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
AS 'MODULE_PATHNAME', 'ticketing_abandon_cart'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.cart_contents(event_id bigint, token text, customer text)
RETURNS ticketing.cart_result
AS 'MODULE_PATHNAME', 'ticketing_cart_contents'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-------------------------------------------------------------------------------
-- Check-in and transfer (issue 19): types and calls
-------------------------------------------------------------------------------

-- A customer's sold ticket and its code (ticket_codes()).
CREATE TYPE ticketing.ticket_code AS (
    ticket_id bigint,
    seat      text,
    code      text
);

-- What check_in answers: `gate` and `admitted_at` of the admission (this one, or the one
-- before for already_admitted); ticket_id and seat only for a genuine code of the event.
CREATE TYPE ticketing.check_in_result AS (
    outcome     text,
    ticket_id   bigint,
    seat        text,
    gate        text,
    admitted_at timestamptz
);

-- One scan an offline gate uploads: the code, the gate, when it was scanned.
CREATE TYPE ticketing.scan AS (
    code       text,
    gate       text,
    scanned_at timestamptz
);

CREATE TYPE ticketing.scan_result AS (
    scan_no     integer,
    outcome     text,
    ticket_id   bigint,
    gate        text,
    admitted_at timestamptz
);

-- Admits the holder of a ticket's code once: admitted, then already_admitted with the
-- gate and time of the admission; not_sold, unknown_code, wrong_event, revoked. The
-- admission is an UPDATE of the ticket row (tickets.updated_at stays the sale's time),
-- so a release or transfer racing it waits for it or, under REPEATABLE READ, gets 40001.
CREATE FUNCTION ticketing.check_in(event_id bigint, code text, gate text)
RETURNS ticketing.check_in_result
AS 'MODULE_PATHNAME', 'ticketing_check_in'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- Scans an offline gate uploads, each with its own time: the earliest scan of a ticket is
-- its admission (replacing a later one recorded before), every other one a duplicate.
-- Tickets are locked in ascending id order, so two uploads cannot deadlock.
CREATE FUNCTION ticketing.check_in_batch(event_id bigint, scans ticketing.scan[])
RETURNS SETOF ticketing.scan_result
AS 'MODULE_PATHNAME', 'ticketing_check_in_batch'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 100;

-- Moves a sold ticket from its owner to another customer, with its audit row; the
-- receiver's per-customer limit applies. The old code stops working; the result carries
-- the receiver's new one.
CREATE FUNCTION ticketing.transfer_ticket(event_id bigint, ticket_id bigint,
                                          from_customer text, to_customer text,
                                          idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_transfer_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- A customer's sold tickets in an event with their codes, for the owner to show again.
CREATE FUNCTION ticketing.ticket_codes(event_id bigint, customer text)
RETURNS SETOF ticketing.ticket_code
AS 'MODULE_PATHNAME', 'ticketing_ticket_codes'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 10;

-- Any change of the secret (rotate_code_secret(), a restore's COPY, an edit by hand) makes
-- every backend read it again when it commits.
CREATE FUNCTION ticketing.code_secret_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ticketing_code_secret_changed'
LANGUAGE C;
CREATE TRIGGER code_secret_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ticketing.code_secret
    FOR EACH STATEMENT EXECUTE FUNCTION ticketing.code_secret_changed();

-- A new secret for ticket codes (superuser only, 42501 otherwise): every code made before
-- stops working (unknown_code at the gates) and owners look theirs up again. Waits, like
-- DDL, for the calls in flight; returns the new secret's creation time.
CREATE FUNCTION ticketing.rotate_code_secret()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ticketing_rotate_code_secret'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Check-in's invariants: only a sold ticket is admitted (admitted_unsold), and a ticket's
-- admission is the latest row of its trail in ticketing.admissions
-- (admission_disagrees_with_log).
CREATE FUNCTION ticketing.verify_admissions(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH admitted AS (
        SELECT t.event_id, t.ticket_id, t.status, t.admitted_at, t.admitted_gate
          FROM ticketing.tickets t
         WHERE t.admitted_at IS NOT NULL AND ($1 IS NULL OR t.event_id = $1)
    ), latest AS (
        SELECT DISTINCT ON (a.event_id, a.ticket_id) a.event_id, a.ticket_id, a.gate, a.admitted_at
          FROM ticketing.admissions a
         WHERE $1 IS NULL OR a.event_id = $1
         ORDER BY a.event_id, a.ticket_id, a.admission_id DESC
    )
    SELECT t.event_id, t.ticket_id, 'admitted_unsold',
           pg_catalog.format('admitted at %s (gate %s) but %s', t.admitted_at, t.admitted_gate, t.status)
      FROM admitted t WHERE t.status <> 'sold'
    UNION ALL
    SELECT coalesce(t.event_id, l.event_id), coalesce(t.ticket_id, l.ticket_id),
           'admission_disagrees_with_log',
           pg_catalog.format('the ticket says %s, its latest admission row says %s',
                             coalesce(t.admitted_at::text || ' at ' || t.admitted_gate, 'not admitted'),
                             coalesce(l.admitted_at::text || ' at ' || l.gate, 'nothing'))
      FROM admitted t FULL JOIN latest l ON l.event_id = t.event_id AND l.ticket_id = t.ticket_id
     WHERE t.admitted_at IS DISTINCT FROM l.admitted_at OR t.admitted_gate IS DISTINCT FROM l.gate
$$;

-- The first secret.
SELECT ticketing.rotate_code_secret();

-------------------------------------------------------------------------------
-- Administration (run with the caller's rights)
-------------------------------------------------------------------------------

-- The shard an event belongs to in a cluster of shard_count shards (a power of 2 from 1
-- to 1024, as set_shard() takes; 22023 otherwise): the partition PL/Proxy's
-- `RUN ON hashint8(event_id)` picks. NULL for a NULL argument.
CREATE FUNCTION ticketing.shard_of(event_id bigint, shard_count integer)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF shard_count < 1 OR shard_count > 1024 OR (shard_count & (shard_count - 1)) <> 0 THEN
        RAISE EXCEPTION 'shard_count must be a power of 2 between 1 and 1024, got %', shard_count
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'PL/Proxy splits by hash over a power-of-2 number of partitions.';
    END IF;
    RETURN pg_catalog.hashint8(event_id) & (shard_count - 1);
END
$$;

-- Makes this node shard shard_index of shard_count. Refused while it holds an event that
-- belongs to another shard.
CREATE FUNCTION ticketing.set_shard(shard_index integer, shard_count integer)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    misplaced bigint;
BEGIN
    IF shard_index IS NULL OR shard_count IS NULL THEN
        RAISE EXCEPTION 'shard_index and shard_count must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF shard_count < 1 OR shard_count > 1024 OR (shard_count & (shard_count - 1)) <> 0 THEN
        RAISE EXCEPTION 'shard_count must be a power of 2 between 1 and 1024, got %', shard_count
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'PL/Proxy splits by hash over a power-of-2 number of partitions.';
    END IF;
    IF shard_index < 0 OR shard_index >= shard_count THEN
        RAISE EXCEPTION 'shard_index must be between 0 and %, got %', shard_count - 1, shard_index
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.count(*) INTO misplaced FROM ticketing.events e
     WHERE ticketing.shard_of(e.event_id, set_shard.shard_count) <> set_shard.shard_index;
    IF misplaced > 0 THEN
        RAISE EXCEPTION 'this node holds % events that belong to other shards of %', misplaced,
                        shard_count
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Move whole events (tickets, audit rows, keys, slots) to their shards first.';
    END IF;
    INSERT INTO ticketing.shard_identity AS s (shard_index, shard_count)
    VALUES (set_shard.shard_index, set_shard.shard_count)
    ON CONFLICT (one_row) DO UPDATE
       SET shard_index = excluded.shard_index, shard_count = excluded.shard_count;
END
$$;

CREATE FUNCTION ticketing.create_event(name text, per_customer_limit integer DEFAULT NULL,
                                       starts_at timestamptz DEFAULT NULL,
                                       event_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
    shard ticketing.shard_identity;
BEGIN
    IF name IS NULL THEN
        RAISE EXCEPTION 'name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF name = '' THEN
        RAISE EXCEPTION 'name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF per_customer_limit IS NOT NULL AND per_customer_limit <= 0 THEN
        RAISE EXCEPTION 'per_customer_limit must be a positive number, got %', per_customer_limit
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass NULL for no limit.';
    END IF;
    IF create_event.event_id IS NOT NULL AND create_event.event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', create_event.event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- On a shard, only ids that belong to it.
    SELECT * INTO shard FROM ticketing.shard_identity;
    IF create_event.event_id IS NOT NULL AND shard.shard_count IS NOT NULL
       AND ticketing.shard_of(create_event.event_id, shard.shard_count) <> shard.shard_index THEN
        RAISE EXCEPTION 'event % belongs to shard % of %, not to this node (shard %)',
                        create_event.event_id,
                        ticketing.shard_of(create_event.event_id, shard.shard_count),
                        shard.shard_count, shard.shard_index
            USING ERRCODE = 'TK004',
                  HINT = 'Create events through the router, which sends each to its shard.';
    END IF;
    IF create_event.event_id IS NOT NULL THEN
        INSERT INTO ticketing.events AS e (event_id, name, per_customer_limit, starts_at)
        VALUES (create_event.event_id, create_event.name, create_event.per_customer_limit,
                create_event.starts_at)
        RETURNING e.event_id INTO new_id;
        RETURN new_id;
    END IF;
    -- Sequence-assigned: skip numbers already taken by explicit ids and, on a shard,
    -- numbers that belong to other shards.
    LOOP
        new_id := pg_catalog.nextval('ticketing.event_id_seq'::pg_catalog.regclass);
        CONTINUE WHEN shard.shard_count IS NOT NULL
                  AND ticketing.shard_of(new_id, shard.shard_count) <> shard.shard_index;
        INSERT INTO ticketing.events AS e (event_id, name, per_customer_limit, starts_at)
        VALUES (new_id, create_event.name, create_event.per_customer_limit, create_event.starts_at)
        ON CONFLICT ON CONSTRAINT events_pkey DO NOTHING
        RETURNING e.event_id INTO new_id;
        EXIT WHEN new_id IS NOT NULL;
    END LOOP;
    RETURN new_id;
END
$$;

-- Locks the event row so concurrent loads number their tickets without collisions.
CREATE FUNCTION ticketing.lock_event_for_load(event_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM ticketing.events e WHERE e.event_id = lock_event_for_load.event_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it with ticketing.create_event().';
    END IF;
    -- The row is written (unchanged), so that a load whose REPEATABLE READ snapshot is
    -- older than this one fails with 40001 on the lock above instead of reading the
    -- highest ticket id without this load's tickets (23505 on the ids it then adds).
    UPDATE ticketing.events e SET name = e.name WHERE e.event_id = lock_event_for_load.event_id;
    RETURN (SELECT coalesce(pg_catalog.max(t.ticket_id), 0) FROM ticketing.tickets t
            WHERE t.event_id = lock_event_for_load.event_id);
END
$$;

CREATE FUNCTION ticketing.add_tickets(event_id bigint, quantity integer,
                                      seat_prefix text DEFAULT 'GA-',
                                      category text DEFAULT 'general')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_id bigint;
BEGIN
    IF quantity IS NULL OR seat_prefix IS NULL OR category IS NULL THEN
        RAISE EXCEPTION 'quantity, seat_prefix and category must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF category = '' OR pg_catalog.octet_length(category) > 100 THEN
        RAISE EXCEPTION 'a category must be 1 to 100 bytes long'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF quantity <= 0 OR quantity > 10000000 THEN
        RAISE EXCEPTION 'quantity must be between 1 and 10000000, got %', quantity
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.octet_length(seat_prefix) > 180 THEN
        RAISE EXCEPTION 'seat_prefix must be at most 180 bytes long, got %',
                        pg_catalog.octet_length(seat_prefix)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Seat labels are the prefix followed by the ticket id, at most 200 bytes.';
    END IF;
    last_id := ticketing.lock_event_for_load(event_id);
    INSERT INTO ticketing.tickets (event_id, ticket_id, seat, category)
    SELECT add_tickets.event_id, n, seat_prefix || n, add_tickets.category
    FROM pg_catalog.generate_series(last_id + 1, last_id + quantity) AS n;
    -- Tickets added to an event with an open waiting list are offered down it first.
    IF EXISTS (SELECT FROM ticketing.events e
                WHERE e.event_id = add_tickets.event_id AND e.waitlist_open) THEN
        PERFORM ticketing.offer_waitlist(add_tickets.event_id);
    END IF;
    RETURN quantity;
END
$$;

CREATE FUNCTION ticketing.add_tickets(event_id bigint, seats text[],
                                      category text DEFAULT 'general')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_id bigint;
BEGIN
    IF seats IS NULL OR EXISTS (SELECT FROM pg_catalog.unnest(seats) s WHERE s IS NULL) THEN
        RAISE EXCEPTION 'seats must not be NULL or contain NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF category IS NULL THEN
        RAISE EXCEPTION 'category must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF category = '' OR pg_catalog.octet_length(category) > 100 THEN
        RAISE EXCEPTION 'a category must be 1 to 100 bytes long'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.array_ndims(seats) > 1 THEN
        RAISE EXCEPTION 'seats must be a one-dimensional array of seat labels'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.cardinality(seats) = 0 OR pg_catalog.cardinality(seats) > 10000000 THEN
        RAISE EXCEPTION 'seats must hold between 1 and 10000000 labels, got %',
                        pg_catalog.cardinality(seats)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.array_position(seats, '') IS NOT NULL THEN
        RAISE EXCEPTION 'seat labels must not be empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.unnest(seats) AS s(seat)
                WHERE pg_catalog.octet_length(s.seat) > 200) THEN
        RAISE EXCEPTION 'seat labels must be at most 200 bytes long'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    last_id := ticketing.lock_event_for_load(event_id);
    INSERT INTO ticketing.tickets (event_id, ticket_id, seat, category)
    SELECT add_tickets.event_id, last_id + s.n, s.seat, add_tickets.category
    FROM pg_catalog.unnest(seats) WITH ORDINALITY AS s(seat, n);
    -- Tickets added to an event with an open waiting list are offered down it first.
    IF EXISTS (SELECT FROM ticketing.events e
                WHERE e.event_id = add_tickets.event_id AND e.waitlist_open) THEN
        PERFORM ticketing.offer_waitlist(add_tickets.event_id);
    END IF;
    RETURN pg_catalog.cardinality(seats);
END
$$;

-- Counts per status. A lapsed hold counts as available: every claim treats it so.
CREATE FUNCTION ticketing.event_summary(event_id bigint)
RETURNS ticketing.event_counts
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts ticketing.event_counts;
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM ticketing.events e WHERE e.event_id = event_summary.event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it with ticketing.create_event().';
    END IF;
    SELECT event_summary.event_id,
           pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE t.status = 'available'
                               OR (t.status = 'held' AND t.hold_expires_at <= pg_catalog.now())),
           pg_catalog.count(*) FILTER (WHERE t.status = 'held'
                                         AND t.hold_expires_at > pg_catalog.now()),
           pg_catalog.count(*) FILTER (WHERE t.status = 'sold')
      INTO counts
      FROM ticketing.tickets t
     WHERE t.event_id = event_summary.event_id;
    RETURN counts;
END
$$;

-- Quotas are created, resized and dropped while no sale is in flight: each takes a SHARE
-- lock on ticketing.tickets, which waits for the transactions that are changing tickets
-- and makes new ones wait until it commits (every call that changes tickets holds ROW
-- EXCLUSIVE on it from its start). So the count of sold and held tickets a quota starts
-- from, or is resized against, cannot move under it, and no sale can miss a quota that
-- exists when it commits. Claims queue behind it for the few milliseconds it takes, in
-- every wait mode, as they do behind DDL.
CREATE FUNCTION ticketing.quota_stripe_shares(units bigint, stripes integer)
RETURNS SETOF integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (units / stripes + CASE WHEN s < units % stripes THEN 1 ELSE 0 END)::integer
      FROM pg_catalog.generate_series(0, stripes - 1) AS s
$$;

CREATE FUNCTION ticketing.create_quota(event_id bigint, name text, size integer,
                                       categories text[], stripes integer DEFAULT 64)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
    used bigint;
BEGIN
    IF event_id IS NULL OR name IS NULL OR size IS NULL OR categories IS NULL
       OR stripes IS NULL OR EXISTS (SELECT FROM pg_catalog.unnest(categories) c WHERE c IS NULL) THEN
        -- (unnest, not array_position: a two-dimensional array is refused below as 22023)
        RAISE EXCEPTION 'event_id, name, size, stripes and categories (and its elements) must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF name = '' OR pg_catalog.octet_length(name) > 100 THEN
        RAISE EXCEPTION 'a quota name must be 1 to 100 bytes long, got %', pg_catalog.octet_length(name)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF size < 0 THEN
        RAISE EXCEPTION 'size must not be negative, got %', size
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.cardinality(categories) = 0 OR pg_catalog.cardinality(categories) > 100
       OR pg_catalog.array_ndims(categories) > 1 THEN
        RAISE EXCEPTION 'categories must be a one-dimensional array of 1 to 100 categories'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.array_position(categories, '') IS NOT NULL
       OR EXISTS (SELECT FROM pg_catalog.unnest(categories) c WHERE pg_catalog.octet_length(c) > 100) THEN
        RAISE EXCEPTION 'a category must be 1 to 100 bytes long'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF stripes < 1 OR stripes > 1024 THEN
        RAISE EXCEPTION 'stripes must be between 1 and 1024, got %', stripes
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    LOCK TABLE ticketing.tickets IN SHARE MODE;
    PERFORM 1 FROM ticketing.events e WHERE e.event_id = create_quota.event_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found', HINT = 'Create it with ticketing.create_event().';
    END IF;
    IF EXISTS (SELECT FROM ticketing.quotas q
                WHERE q.event_id = create_quota.event_id AND q.name = create_quota.name) THEN
        RAISE EXCEPTION 'event % has a quota "%" already', event_id, name
            USING ERRCODE = 'unique_violation',
                  HINT = 'Resize it with ticketing.resize_quota(), or choose another name.';
    END IF;
    -- Under REPEATABLE READ and SERIALIZABLE the count below reads the transaction's
    -- snapshot, taken before the lock: a sale that committed in between would be missed
    -- and the quota start with a unit too many. Sales write no row this call writes, so
    -- nothing raises 40001 by itself; locking the tickets it counts does, for any of them
    -- changed since the snapshot (FOR SHARE: a sale is a NO KEY UPDATE, which FOR KEY
    -- SHARE would let by). READ COMMITTED counts after the lock.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        PERFORM FROM ticketing.tickets t
         WHERE t.event_id = create_quota.event_id AND t.category = ANY (categories)
           FOR SHARE;
    END IF;
    -- Every ticket that is not available holds a unit: sold, held, and a lapsed hold until
    -- it is expired or taken over.
    SELECT pg_catalog.count(*) INTO used FROM ticketing.tickets t
     WHERE t.event_id = create_quota.event_id AND t.category = ANY (categories)
       AND t.status <> 'available';
    IF used > size THEN
        RAISE EXCEPTION 'quota "%" of size % would start exceeded: % tickets of its categories are sold or held',
                        name, size, used
            USING ERRCODE = 'check_violation',
                  HINT = 'Give it a size of at least the tickets already sold and held.';
    END IF;
    INSERT INTO ticketing.quotas AS q (event_id, name, size)
    VALUES (create_quota.event_id, create_quota.name, create_quota.size)
    RETURNING q.quota_id INTO new_id;
    INSERT INTO ticketing.quota_categories (event_id, quota_id, category)
    SELECT DISTINCT create_quota.event_id, new_id, c FROM pg_catalog.unnest(categories) AS c;
    INSERT INTO ticketing.quota_stripes (event_id, quota_id, stripe, remaining)
    SELECT create_quota.event_id, new_id, s.n - 1, s.share
      FROM ticketing.quota_stripe_shares(size - used, stripes) WITH ORDINALITY AS s(share, n);
    UPDATE ticketing.events e SET quota_count = e.quota_count + 1
     WHERE e.event_id = create_quota.event_id;
    RETURN new_id;
END
$$;

CREATE FUNCTION ticketing.resize_quota(event_id bigint, name text, size integer)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    quota ticketing.quotas;
    used bigint;
    stripe_count integer;
BEGIN
    IF event_id IS NULL OR name IS NULL OR size IS NULL THEN
        RAISE EXCEPTION 'event_id, name and size must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF name = '' OR pg_catalog.octet_length(name) > 100 THEN
        RAISE EXCEPTION 'a quota name must be 1 to 100 bytes long, got %', pg_catalog.octet_length(name)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF size < 0 THEN
        RAISE EXCEPTION 'size must not be negative, got %', size
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- SHARE ROW EXCLUSIVE, not SHARE: the offer walk below writes tickets (ROW
    -- EXCLUSIVE), and two calls that each held SHARE waited for each other's (40P01).
    LOCK TABLE ticketing.tickets IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO quota FROM ticketing.quotas q
     WHERE q.event_id = resize_quota.event_id AND q.name = resize_quota.name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % has no quota "%"', event_id, name
            USING ERRCODE = 'no_data_found';
    END IF;
    SELECT pg_catalog.count(*) INTO used FROM ticketing.tickets t
     WHERE t.event_id = quota.event_id AND t.status <> 'available'
       AND t.category IN (SELECT c.category FROM ticketing.quota_categories c
                           WHERE c.event_id = quota.event_id AND c.quota_id = quota.quota_id);
    IF size < used THEN
        RAISE EXCEPTION 'quota "%" cannot be smaller than what is sold and held: %', name, used
            USING ERRCODE = 'check_violation',
                  DETAIL = pg_catalog.format('Asked for %s.', size),
                  HINT = 'Release tickets, or expire lapsed holds with ticketing.expire_holds(), first.';
    END IF;
    SELECT pg_catalog.count(*) INTO stripe_count FROM ticketing.quota_stripes s
     WHERE s.event_id = quota.event_id AND s.quota_id = quota.quota_id;
    UPDATE ticketing.quotas q SET size = resize_quota.size
     WHERE q.event_id = quota.event_id AND q.quota_id = quota.quota_id;
    UPDATE ticketing.quota_stripes s SET remaining = shares.share
      FROM (SELECT x.stripe, pg_catalog.row_number() OVER (ORDER BY x.stripe) AS n
              FROM ticketing.quota_stripes x
             WHERE x.event_id = quota.event_id AND x.quota_id = quota.quota_id) ordered
      JOIN ticketing.quota_stripe_shares(size - used, stripe_count) WITH ORDINALITY AS shares(share, n)
        ON shares.n = ordered.n
     WHERE s.event_id = quota.event_id AND s.quota_id = quota.quota_id
       AND s.stripe = ordered.stripe;
    -- Room a larger quota makes goes to the waiting list first.
    IF EXISTS (SELECT FROM ticketing.events e
                WHERE e.event_id = quota.event_id AND e.waitlist_open) THEN
        PERFORM ticketing.offer_waitlist(quota.event_id);
    END IF;
END
$$;

CREATE FUNCTION ticketing.drop_quota(event_id bigint, name text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF event_id IS NULL OR name IS NULL THEN
        RAISE EXCEPTION 'event_id and name must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF name = '' OR pg_catalog.octet_length(name) > 100 THEN
        RAISE EXCEPTION 'a quota name must be 1 to 100 bytes long, got %', pg_catalog.octet_length(name)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- SHARE ROW EXCLUSIVE, not SHARE: the offer walk below writes tickets (ROW
    -- EXCLUSIVE), and two calls that each held SHARE waited for each other's (40P01).
    LOCK TABLE ticketing.tickets IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM ticketing.quotas q WHERE q.event_id = drop_quota.event_id AND q.name = drop_quota.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % has no quota "%"', event_id, name
            USING ERRCODE = 'no_data_found';
    END IF;
    UPDATE ticketing.events e SET quota_count = e.quota_count - 1
     WHERE e.event_id = drop_quota.event_id;
    IF EXISTS (SELECT FROM ticketing.events e
                WHERE e.event_id = drop_quota.event_id AND e.waitlist_open) THEN
        PERFORM ticketing.offer_waitlist(drop_quota.event_id);
    END IF;
END
$$;

-- Per quota: its size, what is sold and held (live holds) in its categories, and what is
-- left (a lapsed hold counts as available, as everywhere).
CREATE FUNCTION ticketing.quota_summary(event_id bigint)
RETURNS SETOF ticketing.quota_counts
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM ticketing.events e WHERE e.event_id = quota_summary.event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it with ticketing.create_event().';
    END IF;
    RETURN QUERY
    SELECT q.event_id, q.name,
           (SELECT pg_catalog.array_agg(c.category ORDER BY c.category)
              FROM ticketing.quota_categories c
             WHERE c.event_id = q.event_id AND c.quota_id = q.quota_id),
           q.size, u.sold, u.held,
           GREATEST(q.size - u.sold - u.held, 0)
      FROM ticketing.quotas q,
      LATERAL (SELECT pg_catalog.count(*) FILTER (WHERE t.status = 'sold') AS sold,
                      pg_catalog.count(*) FILTER (WHERE t.status = 'held'
                                                    AND t.hold_expires_at > pg_catalog.now()) AS held
                 FROM ticketing.tickets t
                WHERE t.event_id = q.event_id
                  AND t.category IN (SELECT c.category FROM ticketing.quota_categories c
                                      WHERE c.event_id = q.event_id AND c.quota_id = q.quota_id)) u
     WHERE q.event_id = $1
     ORDER BY q.name;
END
$$;

-- Per category: total, available (a lapsed hold counts as available), held, sold.
CREATE FUNCTION ticketing.category_summary(event_id bigint)
RETURNS SETOF ticketing.category_counts
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM ticketing.events e WHERE e.event_id = category_summary.event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it with ticketing.create_event().';
    END IF;
    RETURN QUERY
    SELECT $1, t.category, pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE t.status = 'available'
                               OR (t.status = 'held' AND t.hold_expires_at <= pg_catalog.now())),
           pg_catalog.count(*) FILTER (WHERE t.status = 'held'
                                         AND t.hold_expires_at > pg_catalog.now()),
           pg_catalog.count(*) FILTER (WHERE t.status = 'sold')
      FROM ticketing.tickets t
     WHERE t.event_id = $1
     GROUP BY t.category
     ORDER BY t.category;
END
$$;

-- A quota's use: tickets of its categories sold or on a live hold (what may not exceed
-- its size), tickets that are not available (what holds its units: a lapsed hold too,
-- until it is expired or taken over) and the units left in its stripes.
CREATE FUNCTION ticketing.quota_usage(event_id bigint, quota_id bigint,
                                      OUT used bigint, OUT taken bigint, OUT remaining bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(*) FILTER (WHERE t.status = 'sold'
                                 OR (t.status = 'held' AND t.hold_expires_at > pg_catalog.now())),
           pg_catalog.count(*) FILTER (WHERE t.status <> 'available'),
           (SELECT pg_catalog.sum(s.remaining) FROM ticketing.quota_stripes s
             WHERE s.event_id = $1 AND s.quota_id = $2)
      FROM ticketing.tickets t
     WHERE t.event_id = $1
       AND t.category IN (SELECT c.category FROM ticketing.quota_categories c
                           WHERE c.event_id = $1 AND c.quota_id = $2)
$$;

-- One row per broken invariant of the tickets and their audit trail; no rows means
-- healthy. verify() adds the per-customer limits.
CREATE FUNCTION ticketing.verify_tickets(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH scope_tickets AS (
        SELECT * FROM ticketing.tickets t WHERE $1 IS NULL OR t.event_id = $1
    ), scope_audit AS (
        SELECT * FROM ticketing.audit_log a WHERE $1 IS NULL OR a.event_id = $1
    ), latest AS (
        SELECT DISTINCT ON (a.event_id, a.ticket_id) a.event_id, a.ticket_id, a.to_status, a.customer
          FROM scope_audit a
         ORDER BY a.event_id, a.ticket_id, a.audit_id DESC
    ), chained AS (
        SELECT a.*,
               pg_catalog.lag(a.to_status) OVER w AS previous_to,
               pg_catalog.lag(a.customer) OVER w AS previous_customer,
               pg_catalog.count(*) FILTER (WHERE a.to_status = 'available') OVER w AS releases_so_far
          FROM scope_audit a
        WINDOW w AS (PARTITION BY a.event_id, a.ticket_id ORDER BY a.audit_id)
    )
    SELECT t.event_id, t.ticket_id, 'owner_missing',
           pg_catalog.format('status %s but no owner', t.status)
      FROM scope_tickets t WHERE t.status IN ('sold', 'held') AND t.owner IS NULL
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'available_with_owner',
           'status available but an owner or a hold expiry is set'
      FROM scope_tickets t
     WHERE t.status = 'available' AND (t.owner IS NOT NULL OR t.hold_expires_at IS NOT NULL)
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'hold_expiry_mismatch',
           pg_catalog.format('status %s with hold expiry %s', t.status,
                             coalesce(t.hold_expires_at::text, 'none'))
      FROM scope_tickets t
     WHERE (t.status = 'held') <> (t.hold_expires_at IS NOT NULL)
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'status_disagrees_with_audit',
           pg_catalog.format('status %s but the latest audit row says %s', t.status,
                             coalesce(l.to_status, 'nothing (never changed)'))
      FROM scope_tickets t
      LEFT JOIN latest l ON l.event_id = t.event_id AND l.ticket_id = t.ticket_id
     WHERE t.status <> coalesce(l.to_status, 'available')
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'owner_disagrees_with_audit',
           'the owner is not the customer of the latest audit row'
      FROM scope_tickets t
      JOIN latest l ON l.event_id = t.event_id AND l.ticket_id = t.ticket_id
     WHERE t.status IN ('sold', 'held') AND l.to_status = t.status
       AND t.owner IS DISTINCT FROM l.customer
    UNION ALL
    SELECT c.event_id, c.ticket_id, 'sold_twice',
           pg_catalog.format('%s sales without a release between them', pg_catalog.count(*))
      FROM chained c
     WHERE c.to_status = 'sold'
       -- A transfer moves a sale (sold to sold, from the owner before): not a second one.
       AND NOT (c.from_status = 'sold' AND c.transferred_from IS NOT NULL
                AND c.transferred_from = c.previous_customer)
     GROUP BY c.event_id, c.ticket_id, c.releases_so_far
    HAVING pg_catalog.count(*) > 1
    UNION ALL
    SELECT c.event_id, c.ticket_id, 'audit_chain_broken',
           pg_catalog.format('audit row %s goes from %s, but the row before it left the ticket %s',
                             c.audit_id, c.from_status, coalesce(c.previous_to, 'available'))
      FROM chained c
     WHERE c.from_status <> coalesce(c.previous_to, 'available')
    UNION ALL
    -- A ticket the audit log names that is gone (deleted by hand): the sale or hold the
    -- log records went with it, and no check above starts from the log.
    SELECT l.event_id, l.ticket_id, 'ticket_missing',
           pg_catalog.format('the latest audit row says %s, but there is no such ticket', l.to_status)
      FROM latest l
     WHERE NOT EXISTS (SELECT FROM ticketing.tickets t
                        WHERE t.event_id = l.event_id AND t.ticket_id = l.ticket_id)
$$;

CREATE FUNCTION ticketing.verify(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM ticketing.verify_tickets($1)
    UNION ALL
    SELECT e.event_id, NULL::bigint, 'limit_exceeded',
           pg_catalog.format('a customer owns %s tickets; the limit is %s', o.owned,
                             e.per_customer_limit)
      FROM ticketing.events e
      JOIN LATERAL (
            SELECT t.owner, pg_catalog.count(*) AS owned
              FROM ticketing.tickets t
             WHERE t.event_id = e.event_id AND t.owner IS NOT NULL
               AND (t.status = 'sold' OR (t.status = 'held' AND t.hold_expires_at > pg_catalog.now()))
             GROUP BY t.owner) o ON true
     WHERE e.per_customer_limit IS NOT NULL AND o.owned > e.per_customer_limit
       AND ($1 IS NULL OR e.event_id = $1)
    UNION ALL
    SELECT e.event_id, NULL::bigint, 'misplaced_event',
           pg_catalog.format('the event belongs to shard %s of %s; this node is shard %s',
                             ticketing.shard_of(e.event_id, s.shard_count), s.shard_count,
                             s.shard_index)
      FROM ticketing.events e, ticketing.shard_identity s
     WHERE ticketing.shard_of(e.event_id, s.shard_count) <> s.shard_index
       AND ($1 IS NULL OR e.event_id = $1)
    UNION ALL
    SELECT q.event_id, NULL::bigint, 'quota_exceeded',
           pg_catalog.format('quota %s: %s tickets sold or held; its size is %s', q.name, u.used, q.size)
      FROM ticketing.quotas q, LATERAL ticketing.quota_usage(q.event_id, q.quota_id) u
     WHERE u.used > q.size AND ($1 IS NULL OR q.event_id = $1)
    UNION ALL
    SELECT q.event_id, NULL::bigint, 'quota_units_mismatch',
           pg_catalog.format('quota %s: %s units left in its stripes, but its size %s less the %s tickets that are not available is %s',
                             q.name, u.remaining, q.size, u.taken, q.size - u.taken)
      FROM ticketing.quotas q, LATERAL ticketing.quota_usage(q.event_id, q.quota_id) u
     WHERE u.remaining IS DISTINCT FROM q.size - u.taken AND ($1 IS NULL OR q.event_id = $1)
    UNION ALL
    SELECT e.event_id, NULL::bigint, 'quota_count_mismatch',
           pg_catalog.format('the event counts %s quotas but has %s', e.quota_count,
                             (SELECT pg_catalog.count(*) FROM ticketing.quotas q WHERE q.event_id = e.event_id))
      FROM ticketing.events e
     WHERE e.quota_count <> (SELECT pg_catalog.count(*) FROM ticketing.quotas q WHERE q.event_id = e.event_id)
       AND ($1 IS NULL OR e.event_id = $1)
    UNION ALL
    SELECT * FROM ticketing.verify_admissions($1)
$$;

-------------------------------------------------------------------------------
-- Housekeeping
-------------------------------------------------------------------------------

-- Returns lapsed holds to inventory, with an audit row each, and gives their quota units
-- back; the items of expired carts are lapsed holds too. Not needed for correctness
-- (every claim treats a lapsed hold as available, and takes over its units); safe to run
-- while claims run: it skips rows that claims have locked, and never waits for a claim.
-- A scheduler can call it (pg_cron: docs/design.md, "Carts").
CREATE FUNCTION ticketing.expire_holds(event_id bigint DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ticketing_expire_holds'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- The retention the key lookups use (ticketing.idempotency_retention, in seconds). A C
-- function: calling it loads the library, which drops a value for the setting that a
-- role without the right to set it gave before the library was loaded (current_setting()
-- from PL/pgSQL loads nothing, and read that value). Internal: purge_idempotency_keys()
-- calls it; granted to no one.
CREATE FUNCTION ticketing.idempotency_retention_seconds()
RETURNS integer
AS 'MODULE_PATHNAME', 'ticketing_idempotency_retention_seconds'
LANGUAGE C STABLE PARALLEL SAFE;

REVOKE ALL ON FUNCTION ticketing.idempotency_retention_seconds() FROM PUBLIC;

-- Forgets idempotency keys older than `older_than` (default: the
-- ticketing.idempotency_retention setting, 24 hours unless set). Both must be positive:
-- a negative age would forget every key, and a retry would then buy again.
CREATE FUNCTION ticketing.purge_idempotency_keys(older_than interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    retention interval;
    exact interval;
    purged bigint;
BEGIN
    -- The default is the retention the key lookups use (never a value the caller's role
    -- may not set: idempotency_retention_seconds() loads the library, which drops it).
    retention := coalesce(
        older_than,
        pg_catalog.make_interval(secs => ticketing.idempotency_retention_seconds()));
    IF pg_catalog.date_part('epoch', retention) > 100 * 365.25 * 86400 THEN
        RAISE EXCEPTION 'idempotency keys can only be purged after at most 100 years, got %', retention
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- In exact seconds, as a key's lookup counts its age: the setting reads back as '1d',
    -- and a calendar day is 23 hours on the day clocks go forward (keys still live were
    -- purged, and a retry bought again).
    exact := pg_catalog.make_interval(secs => pg_catalog.date_part('epoch', retention));
    IF exact <= interval '0' THEN
        RAISE EXCEPTION 'idempotency keys can only be purged after a positive age, got %', retention
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example older_than => interval ''1 day''.';
    END IF;
    DELETE FROM ticketing.idempotency_keys k
     WHERE k.created_at < pg_catalog.now() - exact;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;

-------------------------------------------------------------------------------
-- Metrics
-------------------------------------------------------------------------------

-- In-memory counters, no table writes. With shared_preload_libraries = 'ticketing'
-- they cover the whole cluster (scope 'cluster'); without it, this session's calls
-- (scope 'session'). event_id NULL is the total over all events. One column per outcome
-- that a counted call answers (`waiting` only waitlist_position answers, a read that is
-- not counted).
CREATE FUNCTION ticketing.read_stats(
    OUT event_id      bigint,
    OUT scope         text,
    OUT attempts      bigint,
    OUT claimed       bigint,
    OUT already_owned bigint,
    OUT already_sold  bigint,
    OUT held          bigint,
    OUT not_found     bigint,
    OUT busy          bigint,
    OUT released      bigint,
    OUT not_owner     bigint,
    OUT hold_placed   bigint,
    OUT hold_expired  bigint,
    OUT not_held      bigint,
    OUT limit_reached bigint,
    OUT insufficient  bigint,
    OUT sold_out      bigint,
    OUT quota_exhausted bigint,
    OUT cart_not_found bigint,
    OUT cart_expired  bigint,
    OUT cart_closed   bigint,
    OUT empty_cart    bigint,
    OUT opened        bigint,
    OUT extended      bigint,
    OUT capped        bigint,
    OUT admitted      bigint,
    OUT already_admitted bigint,
    OUT not_sold      bigint,
    OUT unknown_code  bigint,
    OUT wrong_event   bigint,
    OUT revoked       bigint,
    OUT transferred   bigint,
    OUT joined        bigint,
    OUT offered       bigint,
    OUT already_waiting bigint,
    OUT "left"        bigint,
    OUT not_waiting   bigint,
    OUT waitlist_closed bigint,
    OUT errors        bigint,
    OUT lock_waits    bigint,
    OUT lock_wait_ms  double precision,
    OUT skips         bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ticketing_read_stats'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE VIEW ticketing.stats AS SELECT * FROM ticketing.read_stats();

CREATE FUNCTION ticketing.reset_stats()
RETURNS void
AS 'MODULE_PATHNAME', 'ticketing_reset_stats'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-------------------------------------------------------------------------------
-- Waiting list (issue 19)
-------------------------------------------------------------------------------
-- Once an event's waiting list is open (open_waitlist), every ticket that comes free in
-- it -- a release or refund, a hold or cart that lapses, tickets added, a quota raised
-- or dropped -- is offered, in the transaction that freed it, to the earliest waiting
-- entries it fits, as a hold in the waiter's name that lasts the entry's offer_for. A
-- lapsed hold is not taken over by a claim there: it is returned to inventory (and so to
-- the list) first. docs/design.md, "Waiting list", says how offers keep the order of the
-- list under concurrency.
CREATE SEQUENCE ticketing.waitlist_entry_seq;

CREATE TABLE ticketing.waitlist_entries (
    event_id           bigint NOT NULL REFERENCES ticketing.events,
    entry_id           bigint NOT NULL
                       DEFAULT pg_catalog.nextval('ticketing.waitlist_entry_seq'::pg_catalog.regclass),
    customer           text NOT NULL CHECK (customer OPERATOR(pg_catalog.<>) ''),
    quantity           integer NOT NULL
                       CHECK (quantity OPERATOR(pg_catalog.>=) 1 AND quantity OPERATOR(pg_catalog.<=) 100),
    -- NULL: any category.
    category           text CHECK (category OPERATOR(pg_catalog.<>) ''
                                   AND pg_catalog.octet_length(category) OPERATOR(pg_catalog.<=) 100),
    together           boolean NOT NULL DEFAULT false,
    offer_for          interval NOT NULL,
    -- waiting; offered (tickets held for the customer: what became of them is read from
    -- the tickets); left (leave_waitlist); closed (close_waitlist, or a finished offer
    -- closed by the customer joining again).
    status             text NOT NULL DEFAULT 'waiting'
                       CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['waiting', 'offered', 'left', 'closed'])),
    joined_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    offered_at         timestamptz,
    offer_expires_at   timestamptz,
    offered_ticket_ids bigint[],
    -- Why the last offer that fitted went past this entry: the customer's per-customer
    -- limit, or a quota with no room.
    skipped_for        text CHECK (skipped_for OPERATOR(pg_catalog.=) ANY (ARRAY['limit_reached', 'quota_exhausted'])),
    skipped_at         timestamptz,
    closed_at          timestamptz,
    PRIMARY KEY (event_id, entry_id)
);
ALTER SEQUENCE ticketing.waitlist_entry_seq OWNED BY ticketing.waitlist_entries.entry_id;
-- The waiting entries of an event in the order they joined: what an offer walks.
CREATE INDEX waitlist_waiting_idx ON ticketing.waitlist_entries (event_id, entry_id)
    WHERE status OPERATOR(pg_catalog.=) 'waiting';
-- What an offer looks for: the earliest waiting entries of a category (or of any, NULL)
-- wanting a given number of tickets.
CREATE INDEX waitlist_waiting_fit_idx ON ticketing.waitlist_entries (event_id, category, quantity, entry_id)
    WHERE status OPERATOR(pg_catalog.=) 'waiting';
-- A customer waits once per event (an offer counts until it is closed).
CREATE UNIQUE INDEX waitlist_active_customer_idx ON ticketing.waitlist_entries (event_id, customer)
    WHERE status OPERATOR(pg_catalog.=) ANY (ARRAY['waiting', 'offered']);
SELECT pg_catalog.pg_extension_config_dump('ticketing.waitlist_entries', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.waitlist_entry_seq', '');

-- What join_waitlist, leave_waitlist and waitlist_position answer. place: the entry's
-- place in line, 1 for the next to be offered tickets (NULL when it is not waiting).
CREATE TYPE ticketing.waitlist_result AS (
    outcome          text,
    event_id         bigint,
    entry_id         bigint,
    place            bigint,
    status           text,
    ticket_ids       bigint[],
    offer_expires_at timestamptz,
    skipped_for      text
);

-- join_waitlist: `joined` (waiting; place set), `offered` (tickets fitting it were
-- free: they are held for the customer at once), `already_waiting` (the customer's entry
-- as it stands), `waitlist_closed` (the event's list is not open), `not_found` (no such
-- event).
CREATE FUNCTION ticketing.join_waitlist(event_id bigint, customer text, quantity integer DEFAULT 1,
                                        category text DEFAULT NULL, together boolean DEFAULT false,
                                        offer_for interval DEFAULT '15 minutes')
RETURNS ticketing.waitlist_result
AS 'MODULE_PATHNAME', 'ticketing_join_waitlist'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- leave_waitlist: `left` (an offer still open is given up: its tickets go on to the
-- next entries), `not_waiting` (the customer has no open entry).
CREATE FUNCTION ticketing.leave_waitlist(event_id bigint, customer text)
RETURNS ticketing.waitlist_result
AS 'MODULE_PATHNAME', 'ticketing_leave_waitlist'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- waitlist_position: `waiting` with the place in line, `offered` with the tickets, or
-- `not_waiting`.
CREATE FUNCTION ticketing.waitlist_position(event_id bigint, customer text)
RETURNS ticketing.waitlist_result
AS 'MODULE_PATHNAME', 'ticketing_waitlist_position'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- Offers what is free to the waiting entries it fits (what every freeing call does
-- itself); returns how many entries got an offer. add_tickets, resize_quota and
-- drop_quota call it.
CREATE FUNCTION ticketing.offer_waitlist(event_id bigint)
RETURNS integer
AS 'MODULE_PATHNAME', 'ticketing_offer_waitlist'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-- Opening and closing a list changes what a release does, so, as for quotas, it waits
-- for the calls in flight (SHARE lock on tickets) and a REPEATABLE READ snapshot that
-- predates it gets 40001 from the next call in the event.
CREATE FUNCTION ticketing.open_waitlist(event_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    LOCK TABLE ticketing.tickets IN SHARE MODE;
    UPDATE ticketing.events e SET waitlist_open = true WHERE e.event_id = open_waitlist.event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found', HINT = 'Create it with ticketing.create_event().';
    END IF;
END
$$;

-- Closes the list: waiting entries are closed; offers already made stand.
CREATE FUNCTION ticketing.close_waitlist(event_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    closed bigint;
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Its snapshot must be taken after the lock: under REPEATABLE READ it is taken
    -- before, and an entry joined meanwhile would stay waiting in a closed list.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'close_waitlist() must run at READ COMMITTED'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Run it in a transaction begun with BEGIN ISOLATION LEVEL READ COMMITTED.';
    END IF;
    LOCK TABLE ticketing.tickets IN SHARE MODE;
    UPDATE ticketing.events e SET waitlist_open = false WHERE e.event_id = close_waitlist.event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found';
    END IF;
    UPDATE ticketing.waitlist_entries w SET status = 'closed', closed_at = pg_catalog.now()
     WHERE w.event_id = close_waitlist.event_id AND w.status = 'waiting';
    GET DIAGNOSTICS closed = ROW_COUNT;
    RETURN closed;
END
$$;

-- Every entry of an event for the shop's staff, in list order: place among the
-- waiting ones, and for an offer what became of it (offered while the tickets are still
-- held for the customer, accepted when the customer bought all of them (by the audit
-- log: a ticket bought and then transferred or refunded still counts), lapsed when the
-- hold ran out, declined when the customer released them or left), with how many of its
-- tickets the customer bought.
CREATE FUNCTION ticketing.waitlist(event_id bigint)
RETURNS TABLE (entry_id bigint, customer text, place bigint, quantity integer, category text,
               together boolean, status text, joined_at timestamptz, offered_at timestamptz,
               offer_expires_at timestamptz, ticket_ids bigint[], bought integer,
               skipped_for text, skipped_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT w.entry_id, w.customer,
           CASE WHEN w.status = 'waiting'
                THEN pg_catalog.count(*) FILTER (WHERE w.status = 'waiting')
                         OVER (ORDER BY w.entry_id) END,
           w.quantity, w.category, w.together,
           CASE WHEN w.offered_at IS NULL THEN w.status
                WHEN o.bought = o.offered THEN 'accepted'
                WHEN o.live > 0 THEN 'offered'
                WHEN w.status = 'left' OR o.released_early THEN 'declined'
                ELSE 'lapsed' END,
           w.joined_at, w.offered_at, w.offer_expires_at, w.offered_ticket_ids,
           o.bought, w.skipped_for, w.skipped_at
      FROM ticketing.waitlist_entries w
      LEFT JOIN LATERAL (
           SELECT pg_catalog.count(*)::integer AS offered,
                  (pg_catalog.count(*) FILTER (WHERE l.bought_at IS NOT NULL
                                                 OR (t.status = 'sold' AND t.owner = w.customer)))::integer AS bought,
                  pg_catalog.count(*) FILTER (WHERE t.status = 'held' AND t.owner = w.customer
                                                AND t.hold_expires_at > pg_catalog.now()) AS live,
                  pg_catalog.bool_or(l.released_at < w.offer_expires_at) AS released_early
             FROM pg_catalog.unnest(w.offered_ticket_ids) AS x(ticket_id)
             JOIN ticketing.tickets t ON t.event_id = w.event_id AND t.ticket_id = x.ticket_id
             LEFT JOIN LATERAL (
                  SELECT pg_catalog.min(a.at) FILTER (WHERE a.to_status = 'available') AS released_at,
                         pg_catalog.min(a.at) FILTER (WHERE a.to_status = 'sold') AS bought_at
                    FROM ticketing.audit_log a
                   WHERE a.event_id = w.event_id AND a.ticket_id = x.ticket_id
                     AND a.from_status = 'held' AND a.to_status IN ('available', 'sold')
                     AND a.customer = w.customer AND a.at >= w.offered_at) l ON true) o
        ON w.offered_at IS NOT NULL
     WHERE w.event_id = $1
     ORDER BY w.entry_id
$$;

-- Offers still open, for a mailer (LISTEN ticketing_waitlist_<event_id> says when to
-- look): the customer, the tickets held for them and until when.
CREATE FUNCTION ticketing.pending_offers(event_id bigint)
RETURNS TABLE (entry_id bigint, customer text, ticket_ids bigint[], seats text[],
               offer_expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT w.entry_id, w.customer, pg_catalog.array_agg(t.ticket_id ORDER BY t.ticket_id),
           pg_catalog.array_agg(t.seat ORDER BY t.ticket_id), w.offer_expires_at
      FROM ticketing.waitlist_entries w
      JOIN ticketing.tickets t
        ON t.event_id = w.event_id AND t.ticket_id = ANY (w.offered_ticket_ids)
       AND t.status = 'held' AND t.owner = w.customer AND t.hold_expires_at > pg_catalog.now()
     WHERE w.event_id = $1 AND w.status = 'offered'
     GROUP BY w.entry_id, w.customer, w.offer_expires_at
     ORDER BY w.entry_id
$$;

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC. See the README for an application role's grants.
-------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ticketing FROM PUBLIC;

-------------------------------------------------------------------------------
-- The live availability feed (issue 22; docs/live-feed.md). This section ends the
-- script: ticketing--1.3.sql and ticketing--1.2--1.3.sql carry it word for word.
--
-- changes_since(event, after_audit_id) hands out an event's audit rows in id order, but
-- only rows below the first id a running transaction may still commit: audit ids are
-- drawn by next_audit_id(), which first publishes the transaction's floor (the sequence's
-- value before its first draw) as a lock, so a listener that goes on from the last id it
-- saw never passes over a row committed later with a smaller id. A row trigger records
-- which events a transaction changed; with shared_preload_libraries = 'ticketing' a
-- notifier announces them after the commit, at most once per ticketing.feed_interval, on
-- channel ticketing_feed_<event_id> with payload {"event_id":E,"audit_id":H}.
-------------------------------------------------------------------------------

-- One event's changes in id order.
CREATE INDEX audit_log_feed_idx ON ticketing.audit_log (event_id, audit_id);

-- nextval(sequence), after publishing the transaction's floor. A role that inserts audit
-- rows by hand needs EXECUTE on it (and USAGE on the sequence, as before).
CREATE FUNCTION ticketing.next_audit_id(sequence regclass)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ticketing_next_audit_id'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

ALTER TABLE ticketing.audit_log ALTER COLUMN audit_id
    SET DEFAULT ticketing.next_audit_id('ticketing.audit_id_seq'::pg_catalog.regclass);

CREATE FUNCTION ticketing.feed_capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ticketing_feed_capture'
LANGUAGE C VOLATILE;

CREATE TRIGGER audit_log_feed_capture AFTER INSERT ON ticketing.audit_log
    FOR EACH ROW EXECUTE FUNCTION ticketing.feed_capture();
-- Also in sessions with session_replication_role = replica (rows a subscription applies).
ALTER TABLE ticketing.audit_log ENABLE ALWAYS TRIGGER audit_log_feed_capture;

-- An event's changes after after_audit_id, in audit id order, at most max_rows: the
-- ticket, its seat and category, its new status and when; for a hold still in place, when
-- it ends. Never the customer. Call again from the last audit_id returned.
-- settled_through: ids the caller knows are settled (a through_audit_id of feed_snapshot,
-- or an audit_id handed out before) are handed out even while a transaction that began
-- before them still runs; 0 by default.
CREATE FUNCTION ticketing.changes_since(event_id bigint, after_audit_id bigint,
                                        max_rows integer DEFAULT 1000,
                                        settled_through bigint DEFAULT 0)
RETURNS TABLE (audit_id bigint, ticket_id bigint, seat text, category text, status text,
               at timestamptz, hold_expires_at timestamptz)
AS 'MODULE_PATHNAME', 'ticketing_changes_since'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 100;

-- Every ticket of the event as of through_audit_id (the same on every row): the state a
-- listener starts from before changes_since(event_id, through_audit_id).
CREATE FUNCTION ticketing.feed_snapshot(event_id bigint)
RETURNS TABLE (through_audit_id bigint, ticket_id bigint, seat text, category text,
               status text, hold_expires_at timestamptz)
AS 'MODULE_PATHNAME', 'ticketing_feed_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 1000;

-- Whether committed changes are announced (the library is preloaded and
-- ticketing.feed_interval is not 0); if not, poll changes_since.
CREATE FUNCTION ticketing.feed_notifications_on()
RETURNS boolean
AS 'MODULE_PATHNAME', 'ticketing_feed_notifications_on'
LANGUAGE C VOLATILE PARALLEL SAFE;

REVOKE ALL ON FUNCTION ticketing.next_audit_id(regclass), ticketing.feed_capture(),
                       ticketing.changes_since(bigint, bigint, integer, bigint),
                       ticketing.feed_snapshot(bigint), ticketing.feed_notifications_on()
    FROM PUBLIC;
