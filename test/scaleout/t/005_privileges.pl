# Who reaches the shards, and with what secrets. With exactly the grants docs/scale-out.md
# tells a DBA to give (its sql: blocks, run as written): an application role on the router
# makes every call of the API, and the shards see each of them as the role of the owner's
# user mapping, never as the caller or as postgres; the application role cannot create or
# change a user mapping (so cannot reach the shards as anyone else), cannot administer,
# cannot read the mapping's password, and objects of its own on its search_path change
# nothing the router runs as the owner. An administrating role makes every administrative
# call with its documented grants. Connection strings hold no password (define_shards
# refuses one; cluster_status and verify report one put there by hand) and no message
# quotes one.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;

my ($router, $shards) = start_cluster(2, mapping => 0);
my $db = 'shop';
my $secret = 'hunter2-not-for-logs';
sub r { return $router->safe_psql($db, shift); }
sub as_app { return $router->safe_psql($db, "SET ROLE shop_app; " . shift); }
sub as_admin { return $router->safe_psql($db, "SET ROLE shop_admin; " . shift); }
sub state_of { my ($e) = @_; return (split /\|/, $e)[0] // ''; }
# The lowest $n tickets of event $e1 that are free now, read on its shard (claim_any and a
# batch's any-seat requests pick theirs at random).
my $e1;
my $shard1;
sub free_tickets
{
	my ($n) = @_;
	return split /\n/, $shard1->safe_psql($db, "SELECT ticket_id FROM ticketing.tickets
		WHERE event_id = $e1 AND status = 'available' ORDER BY ticket_id LIMIT $n");
}

# Who changed what on each shard: a trigger records the session's role for every change
# of a ticket.
for my $shard (@$shards)
{
	$shard->safe_psql($db, doc_sql('shard-grants'));
	$shard->safe_psql($db, q{
		CREATE TABLE public.changed_by (role name, ticket_id bigint);
		CREATE FUNCTION public.note_role() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
		SET search_path = pg_catalog AS $$
		BEGIN
		    INSERT INTO public.changed_by VALUES (session_user, NEW.ticket_id);
		    RETURN NEW;
		END $$;
		CREATE TRIGGER note_role AFTER UPDATE ON ticketing.tickets
		    FOR EACH ROW EXECUTE FUNCTION public.note_role();});
}
# define_shards creates no user mapping: until the DBA gives the owner one, a session's
# first call to the shards fails. (Its later calls would not: PL/Proxy 2.10 clears its
# "reload the user" flag before it looks the mapping up, and then connects with libpq's
# defaults. docs/scale-out.md says to create the mapping first.)
for my $i (0, 1)
{
	like(error_of($router, "SELECT ticketing.shard_identity_of($i)"), qr/user mapping not found for "postgres"/,
		"without a user mapping, a call to shard $i fails");
}
r(doc_sql('router-mapping') =~ s/change-me/$secret/r);
r(doc_sql('router-app-grants'));
r(doc_sql('router-admin-grants'));

like(r("SELECT string_agg(node, ', ' ORDER BY shard) FROM ticketing.cluster_status()"),
	qr/^shop on port \d+ as ticketing_router, shop on port \d+ as ticketing_router$/,
	'the router reaches both shards as the role of its owner\'s user mapping');

# Administration with the documented grants of an administrating role; one event on each
# shard.
my $e2;
($e1, $e2) = map { r("SELECT min(g) FROM generate_series(1, 100) g WHERE ticketing.shard_of(g, 2) = $_") } 0, 1;
$shard1 = $shards->[ r("SELECT ticketing.shard_of($e1)") ];
is(as_admin("SELECT ticketing.create_event('one', event_id => $e1)"), $e1, 'create_event as shop_admin (shard 0)');
is(as_admin("SELECT ticketing.create_event('two', per_customer_limit => 4, event_id => $e2)"), $e2,
	'create_event as shop_admin (shard 1)');
cmp_ok(as_admin("SELECT ticketing.create_event('three')"), '>', 0, 'create_event with an id from the router\'s sequence');
is(as_admin("SELECT ticketing.add_tickets($e1, 30)"), 30, 'add_tickets as shop_admin');
is(as_admin("SELECT ticketing.add_tickets($e2, ARRAY['A-1', 'A-2', 'A-3', 'A-4', 'A-5'])"), 5,
	'add_tickets with seat labels as shop_admin');
is(as_admin("SELECT ticketing.add_tickets($e2, 3, 'V-', category => 'vip')
             + ticketing.add_tickets($e2, ARRAY['B-1', 'B-2'], category => 'balcony')"), 5,
	'add_tickets with categories as shop_admin');
cmp_ok(as_admin("SELECT ticketing.create_quota($e2, 'house', 12, ARRAY['general', 'vip', 'balcony'])"), '>', 0,
	'create_quota as shop_admin');
cmp_ok(as_admin("SELECT ticketing.create_quota($e2, 'upstairs', 1, ARRAY['balcony'], stripes => 1)"), '>', 0,
	'a second quota');
is(as_admin("SELECT ticketing.resize_quota($e2, 'house', 11)"), '', 'resize_quota as shop_admin');

# Every call of the application, as shop_app with the documented grants only.
my @calls = (
	"SELECT outcome FROM ticketing.claim_ticket($e1, 1, 'ann', wait => '250ms')" => 'claimed',
	"SELECT outcome FROM ticketing.release_ticket($e1, 1, 'ann')" => 'released',
	"SELECT outcome FROM ticketing.hold_ticket($e1, 2, 'ann', hold_for => '1 minute')" => 'hold_placed',
	"SELECT outcome FROM ticketing.confirm_hold($e1, 2, 'ann')" => 'claimed',
	"SELECT outcome FROM ticketing.hold_ticket($e1, 3, 'ann', wait => 'skip')" => 'hold_placed',
	"SELECT outcome FROM ticketing.release_hold($e1, 3, 'ann')" => 'released',
	"SELECT outcome FROM ticketing.claim_tickets($e2, ARRAY[1, 2], 'bob', idempotency_key => 'k1')" => 'claimed',
	"SELECT outcome FROM ticketing.claim_any($e2, 'cat', 2, seat_prefix => 'A-')" => 'claimed',
	"SELECT string_agg(outcome, ',') FROM ticketing.claim_batch($e1, ARRAY[ROW(10, 'dan', NULL), ROW(NULL, 'eve', 'k2')]::ticketing.claim_request[])" => 'claimed,claimed',
	"SELECT sold FROM ticketing.event_summary($e2)" => 4,
	"SELECT outcome FROM ticketing.claim_any($e2, 'vic', category => 'vip')" => 'claimed',
	"SELECT string_agg(outcome || ' ' || coalesce(quota, '-'), ',') FROM ticketing.claim_batch($e2, ARRAY[ROW(NULL, 'ben', NULL, 'balcony', NULL), ROW(NULL, 'bea', NULL, 'balcony', NULL)]::ticketing.batch_request[])" => 'claimed -,quota_exhausted upstairs',
	"SELECT string_agg(category || ' ' || sold, ',' ORDER BY category) FROM ticketing.category_summary($e2)" => 'balcony 1,general 4,vip 1',
	"SELECT string_agg(quota || ' ' || sold, ',' ORDER BY quota) FROM ticketing.quota_summary($e2)" => 'house 6,upstairs 1',
	"SELECT outcome FROM ticketing.open_cart($e1, 'cal', '10 minutes')" => 'opened',
);
while (my ($sql, $want) = splice @calls, 0, 2)
{
	is(as_app($sql), $want, "as shop_app: $sql");
}
# A cart's life as shop_app. The any-seat claims above took tickets at random: the cart
# names two that are still free.
my ($free_a, $free_b) = free_tickets(2);
my $token = as_app("SELECT token FROM ticketing.open_cart($e1, 'cal', expires_in => '5 minutes')");
my @cart = (
	"SELECT outcome FROM ticketing.hold_ticket($e1, $free_a, 'cal', cart => '$token')" => 'hold_placed',
	"SELECT outcome FROM ticketing.claim_tickets($e1, ARRAY[$free_b], 'cal', cart => '$token')" => 'hold_placed',
	"SELECT outcome FROM ticketing.claim_any($e1, 'cal', cart => '$token')" => 'hold_placed',
	"SELECT outcome FROM ticketing.extend_cart($e1, '$token', 'cal', '1 minute')" => 'extended',
	"SELECT outcome || ' ' || cardinality(ticket_ids) FROM ticketing.cart_contents($e1, '$token', 'cal')" => 'opened 3',
	"SELECT outcome || ' ' || cardinality(ticket_ids) FROM ticketing.checkout_cart($e1, '$token', 'cal', 'co')" => 'claimed 3',
);
while (my ($sql, $want) = splice @cart, 0, 2)
{
	is(as_app($sql), $want, "as shop_app: $sql");
}
# Check-in and transfer: shop_app looks codes up and transfers; shop_gate admits, and
# may do nothing else.
my $ann_code = as_app("SELECT code FROM ticketing.ticket_codes($e1, 'ann')");
like($ann_code, qr/^TK1\./, 'as shop_app: ticket_codes');
is(as_app("SELECT outcome FROM ticketing.transfer_ticket($e1, 10, 'dan', 'dee')"), 'transferred',
	'as shop_app: transfer_ticket');
is($router->safe_psql($db, "SET ROLE shop_gate; SELECT outcome FROM ticketing.check_in($e1, '$ann_code', 'north')"),
	'admitted', 'as shop_gate: check_in');
is($router->safe_psql($db, "SET ROLE shop_gate; SELECT string_agg(outcome, ',') FROM ticketing.check_in_batch($e1,
	ARRAY[ROW('$ann_code', 'south', now())]::ticketing.scan[])"), 'already_admitted', 'as shop_gate: check_in_batch');
for my $sql ("SELECT ticketing.claim_ticket($e1, 25, 'gate')", "SELECT ticketing.ticket_codes($e1, 'ann')",
	"SELECT ticketing.transfer_ticket($e1, 2, 'ann', 'gate')")
{
	like(error_of($router, $sql, 'shop_gate'), qr/^42501\|/, "as shop_gate, refused: $sql");
}
# (The cart's claim_any above took a ticket at random: this one names a free one.)
my $dropped = as_app("SELECT token FROM ticketing.open_cart($e1, 'cal')");
my ($dropped_ticket) = free_tickets(1);
is(as_app("SELECT outcome FROM ticketing.hold_ticket($e1, $dropped_ticket, 'cal', cart => '$dropped')"), 'hold_placed',
	'as shop_app: hold_ticket into a second cart');
is(as_app("SELECT outcome || ' ' || ticket_ids::text FROM ticketing.abandon_cart($e1, '$dropped', 'cal')"),
	"released {$dropped_ticket}", 'as shop_app: abandon_cart releases its hold');
# The waiting list: the staff open and read it (shop_admin), a customer joins, sees the
# offer of a free ticket and leaves (shop_app).
is(as_admin("SELECT ticketing.open_waitlist($e1)"), '', 'open_waitlist as shop_admin');
my @waitlist = (
	"SELECT concat_ws(' ', outcome, cardinality(ticket_ids)) FROM ticketing.join_waitlist($e1, 'wes', offer_for => '2 minutes')" => 'offered 1',
	"SELECT outcome FROM ticketing.waitlist_position($e1, 'wes')" => 'offered',
	"SELECT outcome FROM ticketing.join_waitlist($e1, 'wes', 2, 'general', true, '1 hour')" => 'already_waiting',
);
while (my ($sql, $want) = splice @waitlist, 0, 2)
{
	is(as_app($sql), $want, "as shop_app: $sql");
}
is(as_admin("SELECT string_agg(customer || ' ' || cardinality(ticket_ids), ',') FROM ticketing.pending_offers($e1)"), 'wes 1',
	'pending_offers as shop_admin');
is(as_admin("SELECT string_agg(customer || ' ' || status, ',') FROM ticketing.waitlist($e1)"), 'wes offered',
	'waitlist as shop_admin');
is(as_app("SELECT outcome FROM ticketing.leave_waitlist($e1, 'wes')"), 'left', 'as shop_app: leave_waitlist');
is(as_admin("SELECT ticketing.offer_waitlist($e1)"), 0, 'offer_waitlist as shop_admin');
is(as_admin("SELECT ticketing.close_waitlist($e1)"), 0, 'close_waitlist as shop_admin');
is($shards->[0]->safe_psql($db, "SELECT string_agg(DISTINCT role, ',') FROM public.changed_by")
	  . ' ' . $shards->[1]->safe_psql($db, "SELECT string_agg(DISTINCT role, ',') FROM public.changed_by"),
	'ticketing_router ticketing_router', 'every change on both shards was made as ticketing_router');

# The attempt of issue 16 (item 13): a user mapping of its own, to connect as postgres.
for my $sql (
	"CREATE USER MAPPING FOR CURRENT_USER SERVER ticketing_shards OPTIONS (user 'postgres')",
	"CREATE USER MAPPING FOR PUBLIC SERVER ticketing_shards OPTIONS (user 'postgres')",
	"ALTER USER MAPPING FOR postgres SERVER ticketing_shards OPTIONS (SET user 'postgres')",
	"ALTER SERVER ticketing_shards OPTIONS (ADD default_user 'session_user')",
	"CREATE SERVER my_shards FOREIGN DATA WRAPPER plproxy OPTIONS (p0 'dbname=shop')")
{
	is(state_of(error_of($router, $sql, 'shop_app')), '42501', "shop_app is refused: $sql");
}
my ($free) = free_tickets(1);
is(as_app("SELECT outcome FROM ticketing.claim_ticket($e1, $free, 'ann')")
	  . ' ' . $shard1->safe_psql($db, "SELECT string_agg(DISTINCT role, ',') FROM public.changed_by WHERE ticket_id = $free"),
	'claimed ticketing_router', 'and its next claim still reaches the shard as ticketing_router');

# The application cannot administer, nor read the mapping's password.
for my $sql (
	"SELECT ticketing.create_event('mine')",
	"SELECT ticketing.add_tickets($e1, 5)",
	"SELECT * FROM ticketing.verify()",
	"SELECT * FROM ticketing.cluster_status()",
	"SELECT * FROM ticketing.event_summaries()",
	"SELECT ticketing.expire_holds()",
	"SELECT * FROM ticketing.stats",
	"SELECT ticketing.reset_stats()",
	"SELECT ticketing.define_shards(ARRAY['dbname=shop'], check_shards => false)",
	"SELECT * FROM ticketing.verify_on_shard(0, NULL)",
	"SELECT ticketing.route_claim_ticket(1, 1, 'x', 'wait', NULL)",
	"SELECT ticketing.add_tickets($e1, 5, category => 'vip')",
	"SELECT ticketing.create_quota($e1, 'mine', 5, ARRAY['general'])",
	"SELECT ticketing.resize_quota($e2, 'house', 100)",
	"SELECT ticketing.drop_quota($e2, 'house')",
	"SELECT * FROM ticketing.category_summaries()",
	"SELECT * FROM ticketing.quota_summaries()",
	"SELECT * FROM ticketing.quota_summaries_on_shard(0)",
	"SELECT ticketing.check_category('')",
	"SELECT ticketing.route_cart_call(1, 't', 'x', NULL)",
	"SELECT ticketing.open_waitlist($e1)", "SELECT ticketing.close_waitlist($e1)",
	"SELECT ticketing.offer_waitlist($e1)", "SELECT * FROM ticketing.waitlist($e1)",
	"SELECT * FROM ticketing.pending_offers($e1)", "SELECT ticketing.check_join_waitlist(1, 'x', 1, NULL, false, '1 hour')",
	"SELECT ticketing.route_join_waitlist(1, 'x', 1, NULL, false, '1 hour')")
{
	is(state_of(error_of($router, $sql, 'shop_app')), '42501', "shop_app is refused: $sql");
}
is(as_app("SELECT count(*) FROM pg_user_mappings WHERE srvname = 'ticketing_shards' AND umoptions IS NOT NULL"),
	0, 'shop_app sees no user mapping\'s options');
unlike(as_app("SELECT srvoptions::text FROM pg_foreign_server WHERE srvname = 'ticketing_shards'"),
	qr/password|\Q$secret\E/, 'and the server\'s options, which every role reads, hold no password');

# The administrating role's other calls.
is(as_admin("SELECT count(*) FROM ticketing.cluster_status() WHERE problem IS NULL"), 2, 'cluster_status as shop_admin');
is(as_admin("SELECT count(*) FROM ticketing.verify()"), 0, 'verify as shop_admin');
is(as_admin("SELECT sum(sold) FROM ticketing.event_summaries()"),
	$shards->[0]->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'")
	  + $shards->[1]->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'"),
	'event_summaries as shop_admin');
is(as_admin("SELECT count(*) FROM ticketing.category_summaries() WHERE problem IS NULL"),
	r("SELECT count(*) FROM ticketing.category_summaries()"), 'category_summaries as shop_admin');
is(as_admin("SELECT string_agg(quota || ' ' || size, ',' ORDER BY quota) FROM ticketing.quota_summaries()"),
	'house 11,upstairs 1', 'quota_summaries as shop_admin');
is(as_admin("SELECT ticketing.drop_quota($e2, 'upstairs')"), '', 'drop_quota as shop_admin');
is(as_admin("SELECT ticketing.expire_holds()"), 0, 'expire_holds as shop_admin');
is(as_admin("SELECT ticketing.purge_idempotency_keys()"), 0, 'purge_idempotency_keys as shop_admin');
is(as_admin("SELECT count(*) > 0 FROM ticketing.stats"), 't', 'the stats view as shop_admin');
is(as_admin("SELECT ticketing.reset_stats()"), '', 'reset_stats as shop_admin');
is(as_admin("SELECT ticketing.shard_of($e1)"), r("SELECT ticketing.shard_of($e1)"), 'shard_of as shop_admin');
is(state_of(error_of($router, "SELECT ticketing.define_shards(ARRAY['dbname=shop'], check_shards => false)", 'shop_admin')),
	'42501', 'shop_admin cannot redefine the shards');

# Objects of the application's own, first on its search_path: operators (with the exact
# argument types, which win over pg_catalog's) and functions with the names the router's
# checks use. Each notes that it ran; a routed call running one
# would run it as the owner. Bad input still gets the right answer from the real ones.
r("CREATE SCHEMA app_own AUTHORIZATION shop_app");
as_app(q{
	CREATE TABLE app_own.ran (what text);
	GRANT INSERT ON app_own.ran TO PUBLIC;
	CREATE FUNCTION app_own.noted(what text) RETURNS boolean LANGUAGE plpgsql AS
	    $$BEGIN INSERT INTO app_own.ran VALUES (what); RETURN false; END$$;
	CREATE FUNCTION app_own.op(bigint, integer) RETURNS boolean LANGUAGE sql AS $$ SELECT app_own.noted('bigint, integer') $$;
	CREATE FUNCTION app_own.op(bigint, bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT app_own.noted('bigint, bigint') $$;
	CREATE FUNCTION app_own.op(integer, integer) RETURNS boolean LANGUAGE sql AS $$ SELECT app_own.noted('integer, integer') $$;
	CREATE FUNCTION app_own.op(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT app_own.noted('text, text') $$;
	CREATE FUNCTION app_own.op(interval, interval) RETURNS boolean LANGUAGE sql AS $$ SELECT app_own.noted('interval, interval') $$;
	CREATE OPERATOR app_own.<= (LEFTARG = bigint, RIGHTARG = integer, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.< (LEFTARG = bigint, RIGHTARG = integer, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.= (LEFTARG = bigint, RIGHTARG = integer, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.<= (LEFTARG = bigint, RIGHTARG = bigint, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.= (LEFTARG = bigint, RIGHTARG = bigint, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.> (LEFTARG = integer, RIGHTARG = integer, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.< (LEFTARG = integer, RIGHTARG = integer, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.= (LEFTARG = integer, RIGHTARG = integer, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.= (LEFTARG = text, RIGHTARG = text, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.~ (LEFTARG = text, RIGHTARG = text, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.>= (LEFTARG = interval, RIGHTARG = interval, PROCEDURE = app_own.op);
	CREATE OPERATOR app_own.<= (LEFTARG = interval, RIGHTARG = interval, PROCEDURE = app_own.op);
	CREATE FUNCTION app_own.octet_length(text) RETURNS integer LANGUAGE sql AS $$ SELECT 1 WHERE app_own.noted('octet_length') IS NOT NULL $$;
	CREATE FUNCTION app_own.hashint8(bigint) RETURNS integer LANGUAGE sql AS $$ SELECT 1 WHERE app_own.noted('hashint8') IS NOT NULL $$;
	CREATE FUNCTION app_own.array_ndims(anyarray) RETURNS integer LANGUAGE sql AS $$ SELECT 1 WHERE app_own.noted('array_ndims') IS NOT NULL $$;
	CREATE FUNCTION app_own.cardinality(anyarray) RETURNS integer LANGUAGE sql AS $$ SELECT 1 WHERE app_own.noted('cardinality') IS NOT NULL $$;
	CREATE FUNCTION app_own.unnest(ticketing.claim_request[]) RETURNS SETOF ticketing.claim_request LANGUAGE sql AS $$ SELECT NULL::ticketing.claim_request WHERE app_own.noted('unnest') $$;
	CREATE FUNCTION app_own.unnest(ticketing.batch_request[]) RETURNS SETOF ticketing.batch_request LANGUAGE sql AS $$ SELECT NULL::ticketing.batch_request WHERE app_own.noted('unnest 1.3') $$;
});
my $hostile = "SET search_path = app_own, pg_catalog, ticketing;";
my ($fays) = free_tickets(1);
is(as_app("$hostile SELECT outcome FROM ticketing.claim_ticket($e1, $fays, 'fay', wait => '300ms')"), 'claimed',
	'a hostile search_path: claim_ticket routes and sells');
as_app("$hostile SELECT ticketing.hold_ticket($e1, 6, 'fay', hold_for => '2 minutes', wait => '1s', idempotency_key => 'h1');
        SELECT ticketing.claim_tickets($e1, ARRAY[7, 8], 'fay', hold_for => '1 minute');
        SELECT ticketing.claim_any($e1, 'fay', 1, adjacent => true);
        SELECT ticketing.claim_batch($e1, ARRAY[ROW(11, 'fay', 'b1'), ROW(12, 'gus', NULL)]::ticketing.claim_request[]);
        SELECT ticketing.release_ticket($e1, $fays, 'fay');
        SELECT ticketing.event_summary($e1);
        SELECT ticketing.claim_any($e1, 'fay', category => 'general', cart => (SELECT token FROM ticketing.open_cart($e1, 'fay')));
        SELECT ticketing.claim_batch($e1, ARRAY[ROW(NULL, 'gus', 'b2', 'general', NULL)]::ticketing.batch_request[]);
        SELECT ticketing.category_summary($e1);
        SELECT ticketing.join_waitlist($e1, 'fay', 2, 'general', true, '2 minutes');
        SELECT ticketing.waitlist_position($e1, 'fay');
        SELECT ticketing.leave_waitlist($e1, 'fay');");
for my $bad ("SELECT ticketing.claim_ticket($e1, 0, 'fay')", "SELECT ticketing.claim_ticket($e1, 9, '')",
	"SELECT ticketing.claim_tickets($e1, ARRAY[9, 9], 'fay')", "SELECT ticketing.claim_any($e1, 'fay', 101)",
	"SELECT ticketing.claim_batch($e1, ARRAY[ROW(-1, 'x', NULL)]::ticketing.claim_request[])",
	"SELECT ticketing.claim_batch($e1, ARRAY[ROW(NULL, 'x', NULL, '', NULL)]::ticketing.batch_request[])",
	"SELECT ticketing.claim_any($e1, 'fay', category => repeat('c', 101))",
	"SELECT ticketing.checkout_cart($e1, '', 'fay')",
	"SELECT ticketing.join_waitlist($e1, 'fay', offer_for => '30 seconds')",
	"SELECT ticketing.join_waitlist($e1, 'fay', 101)", "SELECT ticketing.waitlist_position($e1, '')")
{
	is(state_of(error_of($router, "$hostile $bad", 'shop_app')), '22023', "a hostile search_path: $bad is still refused");
}
is(r("SELECT count(*) FROM app_own.ran"), 0, 'none of the application\'s own objects ran')
  or diag(r("SELECT string_agg(DISTINCT what, ', ') FROM app_own.ran"));

# Secrets stay out of connection strings and messages.
my @conninfo = map { shard_conninfo($_) } @$shards;
for my $with_secret ("$conninfo[1] password=$secret", "$conninfo[1] password = '$secret x'",
	"$conninfo[1] sslpassword=$secret", "postgresql://ticketing_router:$secret\@localhost/shop")
{
	my $err = error_of($router, "SELECT ticketing.define_shards(ARRAY['$conninfo[0]', \$q\$$with_secret\$q\$])");
	like($err, qr/^22023\|the connection string of shard 1 holds a password\|/, "define_shards refuses: $with_secret");
	unlike($err, qr/\Q$secret\E/, 'and does not repeat it');
}
# A password put there by hand: reported, never shown.
r("ALTER SERVER ticketing_shards OPTIONS (SET p1 \$q\$$conninfo[1] password=$secret\$q\$)");
like(r("SELECT problem FROM ticketing.cluster_status() WHERE shard = 1"),
	qr/connection string holds a password/, 'cluster_status reports a password in a connection string');
like(r("SELECT string_agg(problem || ': ' || detail, ' ') FROM ticketing.verify()"),
	qr/^shard_misconfigured: shard 1 .*holds a password/, 'so does verify()');
is(r("SELECT ticketing.define_shards(ARRAY['$conninfo[0]', '$conninfo[1]'])"), 2,
	'define_shards puts a clean connection string back');
# The shard stopped while its connection string holds the password (put by hand again):
# no message mentions it.
r("ALTER SERVER ticketing_shards OPTIONS (SET p1 \$q\$$conninfo[1] password=$secret\$q\$)");
$shards->[1]->stop('fast');
my $all = join "\n", r("SELECT * FROM ticketing.cluster_status()"), r("SELECT * FROM ticketing.verify()"),
  r("SELECT * FROM ticketing.event_summaries()"),
  error_of($router, "SELECT ticketing.define_shards(ARRAY['$conninfo[0]', \$q\$$conninfo[1] password=$secret\$q\$])"),
  error_of($router, "SELECT ticketing.claim_ticket(e, 1, 'x') FROM generate_series(1, 4) e");
like($all, qr/no answer: .*\.s\.PGSQL\.\d+/, 'the stopped shard is reported as not answering');
unlike($all, qr/\Q$secret\E/, 'no message or row quotes the password');
$shards->[1]->start;
r("SELECT ticketing.define_shards(ARRAY['$conninfo[0]', '$conninfo[1]'])");
# What redact_secrets() does to a message that would quote a connection string.
is(r(qq{SELECT ticketing.redact_secrets(\$q\$connect timeout to: host=a password=$secret port=5 / password = '$secret x' / postgres://u:$secret\@h/db / sslpassword=$secret\$q\$)}),
	"connect timeout to: host=a password=******** port=5 / password = ******** / postgres://u:********\@h/db / sslpassword=********",
	'redact_secrets replaces every form of password');

done_testing();
