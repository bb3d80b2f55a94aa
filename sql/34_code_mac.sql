--
-- 34_code_mac: a ticket's code is HMAC-SHA256 (RFC 2104) over the ticket, its owner and
-- its sale time under the secret in ticketing.code_secret, truncated to 128 bits. The
-- backend hashes the secret's key blocks once per secret, not once per code; this
-- checks its codes against HMAC computed here from PostgreSQL's own sha256(), for
-- secrets shorter than, equal to and longer than SHA-256's 64-byte block (a longer key
-- is hashed first), after every kind of change to the secret.
--
\set VERBOSITY terse
-- HMAC-SHA256 in SQL: sha256((K xor opad) || sha256((K xor ipad) || message)).
CREATE FUNCTION pg_temp.key_block(key bytea, pad int) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    WITH k AS (
        SELECT CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END AS k
    ), padded AS (
        SELECT k || decode(repeat('00', 64 - length(k)), 'hex') AS b FROM k
    )
    SELECT decode(string_agg(lpad(to_hex(get_byte(b, i) # pad), 2, '0'), '' ORDER BY i), 'hex')
      FROM padded, generate_series(0, 63) AS i
$$;
CREATE FUNCTION pg_temp.hmac_sha256(key bytea, message bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(pg_temp.key_block(key, 92)
                  || sha256(pg_temp.key_block(key, 54) || message))  -- 0x5c, 0x36
$$;
-- The code of a ticket as the format says (src/core/ticket_code.hpp): "TK1." and the
-- base64url of the ids as varints (one byte each below 128) and the MAC's first 16
-- bytes; the MAC over "ticketing code v1", a zero byte, the ids and the sale time as
-- 8-byte big-endian integers, then the owner.
CREATE FUNCTION pg_temp.expected_code(secret bytea, event_id bigint, ticket_id bigint,
                                      owner text, sold_at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'TK1.' || rtrim(translate(encode(
               decode(lpad(to_hex(event_id), 2, '0') || lpad(to_hex(ticket_id), 2, '0'), 'hex')
               || substr(pg_temp.hmac_sha256(secret,
                      convert_to('ticketing code v1', 'UTF8') || '\x00'::bytea
                      || int8send(event_id) || int8send(ticket_id)
                      || timestamptz_send(sold_at) || convert_to(owner, 'UTF8')), 1, 16),
               'base64'), '+/', '-_'), '=')
$$;
-- RFC 4231, test case 2 (a key shorter than 32 bytes; the table itself holds 32 or more):
SELECT encode(pg_temp.hmac_sha256('Jefe', 'what do ya want for nothing?'), 'hex')
     = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' AS rfc4231_case_2;
-- and test case 6 (131 bytes of 0xaa: hashed first).
SELECT encode(pg_temp.hmac_sha256(decode(repeat('aa', 131), 'hex'),
                                  'Test Using Larger Than Block-Size Key - Hash Key First'), 'hex')
     = '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54' AS rfc4231_case_6;

SELECT ticketing.create_event('Code MACs', event_id => 34) AS event;
SELECT ticketing.add_tickets(34, 100) AS added;
SELECT count(*) AS sold FROM generate_series(1, 6) AS t,
       LATERAL ticketing.claim_ticket(34, t, 'buyer-' || t) AS c WHERE c.outcome = 'claimed';
-- Each secret length in turn, written by hand (the trigger on code_secret makes every
-- backend read it again): the codes a sale returns, the owner's lookup, and check-in all
-- use the new secret, and match the SQL computation.
CREATE TEMP TABLE secrets (n int, secret bytea);
INSERT INTO secrets
SELECT n, decode(string_agg(lpad(to_hex((n * 7 + i * 13) % 256), 2, '0'), '' ORDER BY i), 'hex')
  FROM unnest(ARRAY[32, 63, 64, 65, 200, 1024]) AS n, generate_series(1, n) AS i
 GROUP BY n;
DO $$
DECLARE
    s record;
    t record;
    sold_code text;
BEGIN
    FOR s IN SELECT * FROM secrets ORDER BY n LOOP
        DELETE FROM ticketing.code_secret;
        INSERT INTO ticketing.code_secret (secret) VALUES (s.secret);
        FOR t IN SELECT ticket_id, owner, updated_at FROM ticketing.tickets
                  WHERE event_id = 34 AND status = 'sold' ORDER BY ticket_id LOOP
            SELECT code INTO sold_code FROM ticketing.ticket_codes(34, t.owner)
             WHERE ticket_id = t.ticket_id;
            IF sold_code IS DISTINCT FROM
               pg_temp.expected_code(s.secret, 34, t.ticket_id, t.owner, t.updated_at) THEN
                RAISE EXCEPTION 'secret of % bytes: ticket % has code %, expected %', s.n,
                    t.ticket_id, sold_code,
                    pg_temp.expected_code(s.secret, 34, t.ticket_id, t.owner, t.updated_at);
            END IF;
        END LOOP;
        RAISE NOTICE 'secret of % bytes: every code matches', s.n;
    END LOOP;
END $$;
-- A sale under the last secret (1,024 bytes) returns the code SQL computes, and the gate
-- admits it; a code under an earlier secret is unknown.
SELECT c.code = pg_temp.expected_code((SELECT secret FROM secrets WHERE n = 1024), 34, 7,
                                      'buyer-7', c.at) AS sale_code_matches
  FROM ticketing.claim_ticket(34, 7, 'buyer-7') AS c;
SELECT outcome FROM ticketing.check_in(34, pg_temp.expected_code(
    (SELECT secret FROM secrets WHERE n = 1024), 34, 7, 'buyer-7',
    (SELECT updated_at FROM ticketing.tickets WHERE event_id = 34 AND ticket_id = 7)), 'gate 1');
SELECT outcome FROM ticketing.check_in(34, pg_temp.expected_code(
    (SELECT secret FROM secrets WHERE n = 32), 34, 1, 'buyer-1',
    (SELECT updated_at FROM ticketing.tickets WHERE event_id = 34 AND ticket_id = 1)), 'gate 1');
-- rotate_code_secret() makes a new 32-byte secret: the codes follow it.
SELECT ticketing.rotate_code_secret() IS NOT NULL AS rotated;
SELECT bool_and(c.code = pg_temp.expected_code((SELECT secret FROM ticketing.code_secret),
                                               34, c.ticket_id, t.owner, t.updated_at))
       AS codes_follow_rotation
  FROM ticketing.tickets t, LATERAL ticketing.ticket_codes(34, t.owner) c
 WHERE t.event_id = 34 AND t.status = 'sold' AND c.ticket_id = t.ticket_id;
