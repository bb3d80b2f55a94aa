# Dump and restore: a database with events, sales, holds, releases, audit rows,
# idempotency keys, customer slots, a site table of its own with a foreign key to
# ticketing.tickets (where the README puts a site's own columns) and the application
# role's grants is dumped with pg_dump -Fc and restored with pg_restore into a fresh
# cluster. Every row of the extension's tables and of the site table comes back, the
# sequences go on where they were (next event id, next audit id), a retry with an old
# idempotency key replays its answer, limits still count, verify() is empty.
#
# It also pins what pg_dump does not carry, as the README says: additions to the
# extension's own tables (CHECK, index, trigger) are not in the dump (the site's script
# adds them again), and a column added to one of them makes the restore fail.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use IPC::Run ();
use PostgreSQL::Test::Utils;
use Test::More;
use TicketingNode;
use TicketingLoad;

my $src = ticketing_node('source');
$src->start;
$src->safe_psql('postgres', 'CREATE DATABASE shop');
TicketingLoad::setup_inventory($src, 'shop');

# History: a short load (sales, holds, releases, keys, customer slots).
my $dir = PostgreSQL::Test::Utils::tempdir('ledger');
my $dsn = 'dbi:Pg:dbname=shop;host=' . $src->host . ';port=' . $src->port;
my $summary = TicketingLoad::wait_clients($dir,
	TicketingLoad::start_clients(dsn => $dsn, clients => 8, seconds => 5, dir => $dir, seed => 3));
is($summary->{failed_clients}, 0, 'the load that makes the history ran');

# The README's application role, a keyed claim to retry after the restore, a customer
# at the limit of an event, and the site's own table and script.
my $site_script = q{
	ALTER TABLE ticketing.tickets ADD CONSTRAINT site_seat_length CHECK (length(seat) <= 20);
	CREATE INDEX site_tickets_updated_idx ON ticketing.tickets (updated_at);
	CREATE TRIGGER site_touch BEFORE UPDATE ON ticketing.tickets
	    FOR EACH ROW EXECUTE FUNCTION site.touch();
};
$src->safe_psql('shop', q{
	CREATE ROLE shop_app LOGIN;
	GRANT USAGE ON SCHEMA ticketing TO shop_app;
	GRANT EXECUTE ON FUNCTION
	    ticketing.claim_ticket(bigint, bigint, text, text, text),
	    ticketing.release_ticket(bigint, bigint, text, text),
	    ticketing.hold_ticket(bigint, bigint, text, interval, text, text, text),
	    ticketing.confirm_hold(bigint, bigint, text, text),
	    ticketing.release_hold(bigint, bigint, text, text),
	    ticketing.claim_tickets(bigint, bigint[], text, text, interval, text, text),
	    ticketing.claim_any(bigint, text, integer, text, text, boolean, interval, text, text, text),
	    ticketing.claim_batch(bigint, ticketing.claim_request[]),
	    ticketing.claim_batch(bigint, ticketing.batch_request[]),
	    ticketing.open_cart(bigint, text, interval),
	    ticketing.extend_cart(bigint, text, text, interval),
	    ticketing.checkout_cart(bigint, text, text, text),
	    ticketing.abandon_cart(bigint, text, text, text),
	    ticketing.cart_contents(bigint, text, text),
	    ticketing.join_waitlist(bigint, text, integer, text, boolean, interval),
	    ticketing.leave_waitlist(bigint, text),
	    ticketing.waitlist_position(bigint, text),
	    ticketing.event_summary(bigint),
	    ticketing.category_summary(bigint),
	    ticketing.quota_summary(bigint)
	  TO shop_app;
	SELECT ticketing.create_event('limited', per_customer_limit => 2, event_id => 4);
	SELECT ticketing.add_tickets(4, 10);
	SELECT outcome FROM ticketing.claim_tickets(4, ARRAY[1, 2], 'limited-buyer');
	SELECT outcome FROM ticketing.claim_ticket(4, 9, 'retrying-buyer', idempotency_key => 'before-dump');
	SELECT ticketing.create_event('categories', event_id => 5);
	SELECT ticketing.add_tickets(5, 6, seat_prefix => 'V-', category => 'vip');
	SELECT ticketing.add_tickets(5, 6, seat_prefix => 'S-', category => 'standard');
	SELECT ticketing.create_quota(5, 'vip-cap', 3, ARRAY['vip'], stripes => 2);
	SELECT outcome FROM ticketing.claim_any(5, 'vip-buyer', 2, category => 'vip');
	CREATE SCHEMA site;
	CREATE FUNCTION site.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
	CREATE TABLE site.ticket_prices (
	    event_id  bigint,
	    ticket_id bigint,
	    price     numeric NOT NULL,
	    PRIMARY KEY (event_id, ticket_id),
	    FOREIGN KEY (event_id, ticket_id) REFERENCES ticketing.tickets);
	INSERT INTO site.ticket_prices SELECT 1, n, 20 + n % 7 FROM generate_series(1, 500) n;
} . $site_script);
# A cart checked out, and one left open across the dump (its token kept here: only its
# hash is in the database).
my $sold_cart = $src->safe_psql('shop', q{SELECT token FROM ticketing.open_cart(5, 'cart-buyer')});
$src->safe_psql('shop', qq{
	SELECT ticketing.hold_ticket(5, 7, 'cart-buyer', cart => '$sold_cart');
	SELECT ticketing.checkout_cart(5, '$sold_cart', 'cart-buyer')});
my $open_cart = $src->safe_psql('shop', q{SELECT token FROM ticketing.open_cart(5, 'cart-buyer', expires_in => '1 hour')});
is($src->safe_psql('shop', qq{SELECT outcome FROM ticketing.claim_any(5, 'cart-buyer', category => 'vip', cart => '$open_cart')}),
	'hold_placed', 'a vip seat held in an open cart (the quota is full now)');

my %counts = split /\|/, $src->safe_psql('shop', q{
	SELECT 'events|' || (SELECT count(*) FROM ticketing.events)
	    || '|sold|' || (SELECT count(*) FROM ticketing.tickets WHERE status = 'sold')
	    || '|held|' || (SELECT count(*) FROM ticketing.tickets WHERE status = 'held')
	    || '|released|' || (SELECT count(*) FROM ticketing.audit_log WHERE to_status = 'available')
	    || '|audit|' || (SELECT count(*) FROM ticketing.audit_log)
	    || '|keys|' || (SELECT count(*) FROM ticketing.idempotency_keys)
	    || '|slots|' || (SELECT count(*) FROM ticketing.customer_slots)
	    || '|quotas|' || (SELECT count(*) FROM ticketing.quotas)
	    || '|carts|' || (SELECT count(*) FROM ticketing.carts)
	    || '|cart items|' || (SELECT count(*) FROM ticketing.cart_items)});
ok(!grep({ $_ == 0 } values %counts),
	'the source has ' . join(', ', map { "$counts{$_} $_" } sort keys %counts));

# Dump, fresh cluster, globals (roles), restore.
my $dump = "$dir/shop.dump";
command_ok([ 'pg_dump', '-Fc', '-h', $src->host, '-p', $src->port, '-f', $dump, 'shop' ], 'pg_dump -Fc');
my $dst = ticketing_node('restored');
$dst->start;
my $globals = `pg_dumpall --globals-only --no-role-passwords -h @{[ $src->host ]} -p @{[ $src->port ]}`;
$dst->psql('postgres', $globals, on_error_stop => 0);    # "role postgres already exists" is fine
$dst->safe_psql('postgres', 'CREATE DATABASE shop');
command_ok([ 'pg_restore', '--exit-on-error', '-h', $dst->host, '-p', $dst->port, '-d', 'shop', $dump ],
	'pg_restore into a fresh cluster');

# Row by row.
my %order = (
	'ticketing.events'           => 'event_id',
	'ticketing.tickets'          => 'event_id, ticket_id',
	'ticketing.audit_log'        => 'audit_id',
	'ticketing.idempotency_keys' => 'customer, idempotency_key',
	'ticketing.customer_slots'   => 'event_id, customer',
	'ticketing.quotas'           => 'event_id, quota_id',
	'ticketing.quota_categories' => 'event_id, quota_id, category',
	'ticketing.quota_stripes'    => 'event_id, quota_id, stripe',
	'ticketing.carts'            => 'event_id, cart_id',
	'ticketing.cart_items'       => 'event_id, cart_id, ticket_id',
	'site.ticket_prices'         => 'event_id, ticket_id');
my $rows_compared = 0;
for my $table (sort keys %order)
{
	my $query = "SELECT x::text FROM $table x ORDER BY $order{$table}";
	my $before = table_text($src, 'shop', $query);
	my $after = table_text($dst, 'shop', $query);
	my $rows = () = $before =~ /^/mg;
	ok($before ne '' && $after eq $before, "restored $table equal, row by row ($rows rows)");
	$rows_compared += $rows;
}
my $sequences = q{SELECT last_value || ' ' || is_called FROM ticketing.event_id_seq
                  UNION ALL SELECT last_value || ' ' || is_called FROM ticketing.audit_id_seq
                  UNION ALL SELECT last_value || ' ' || is_called FROM ticketing.quota_id_seq
                  UNION ALL SELECT last_value || ' ' || is_called FROM ticketing.cart_id_seq};
is(table_text($dst, 'shop', $sequences), table_text($src, 'shop', $sequences), 'sequences restored');
is($dst->safe_psql('shop', 'SELECT * FROM ticketing.verify()'), '', 'verify() is empty after the restore');
my $summaries = 'SELECT s.* FROM ticketing.events e, ticketing.event_summary(e.event_id) s ORDER BY 1';
is(table_text($dst, 'shop', $summaries), table_text($src, 'shop', $summaries), 'event summaries equal');
is($dst->safe_psql('shop', q{
	SELECT has_schema_privilege('shop_app', 'ticketing', 'USAGE')
	   AND has_function_privilege('shop_app', 'ticketing.claim_batch(bigint, ticketing.claim_request[])', 'EXECUTE')
	   AND has_function_privilege('shop_app', 'ticketing.open_cart(bigint, text, interval)', 'EXECUTE')
	   AND NOT has_table_privilege('shop_app', 'ticketing.tickets', 'SELECT')}), 't',
	"the application role's grants came back, and no more");

# The sequences go on: the next event and the next audit row get the same ids in both.
for my $node ($src, $dst)
{
	$node->safe_psql('shop', q{
		SELECT ticketing.create_event('after the dump');
		SELECT ticketing.claim_ticket(4, 10, 'after-dump-buyer')});
}
my $next = q{SELECT (SELECT max(event_id) FROM ticketing.events) || ' ' || (SELECT max(audit_id) FROM ticketing.audit_log)};
is(table_text($dst, 'shop', $next), table_text($src, 'shop', $next), 'next event id and next audit id as in the source');

# An idempotent retry after the restore replays; the key still refuses another request.
my $audit_before = $dst->safe_psql('shop', 'SELECT count(*) FROM ticketing.audit_log');
is($dst->safe_psql('shop', q{SELECT outcome || ' ' || ticket_id FROM ticketing.claim_ticket(4, 9, 'retrying-buyer', idempotency_key => 'before-dump')}),
	'claimed 9', 'a retry with a key from before the dump replays its answer');
is($dst->safe_psql('shop', 'SELECT count(*) FROM ticketing.audit_log'), $audit_before, '... and sells nothing');
is((sqlstate_of($dst, 'shop', q{SELECT ticketing.claim_ticket(4, 8, 'retrying-buyer', idempotency_key => 'before-dump')}))[0],
	'TK001', '... and the key refuses another request');
is($dst->safe_psql('shop', q{SELECT outcome FROM ticketing.claim_any(4, 'limited-buyer')}), 'limit_reached',
	'per-customer limits count what was bought before the dump');
is($dst->safe_psql('shop', q{SELECT outcome || ' ' || quota FROM ticketing.claim_any(5, 'late-vip', category => 'vip')}),
	'quota_exhausted vip-cap', 'a quota counts what was sold and held before the dump');
is($dst->safe_psql('shop', qq{SELECT outcome || ' ' || cardinality(ticket_ids) FROM ticketing.cart_contents(5, '$open_cart', 'cart-buyer')}),
	'opened 1', 'a cart opened before the dump is found by its token');
is($dst->safe_psql('shop', qq{SELECT outcome || ' ' || cardinality(ticket_ids) FROM ticketing.checkout_cart(5, '$open_cart', 'cart-buyer')}),
	'claimed 1', '... and checks out');
is($dst->safe_psql('shop', qq{SELECT outcome FROM ticketing.cart_contents(5, '$sold_cart', 'cart-buyer')}),
	'already_owned', 'one checked out before the dump stays checked out');

# What pg_dump does not carry: the site's additions to the extension's tables.
my $additions = q{
	SELECT (SELECT count(*) FROM pg_constraint WHERE conname = 'site_seat_length')
	     + (SELECT count(*) FROM pg_class WHERE relname = 'site_tickets_updated_idx')
	     + (SELECT count(*) FROM pg_trigger WHERE tgname = 'site_touch')};
is($src->safe_psql('shop', $additions), '3', 'the source has a CHECK, an index and a trigger on tickets');
is($dst->safe_psql('shop', $additions), '0', 'none of them is in the restored database (pg_dump leaves them out)');
$dst->safe_psql('shop', $site_script);
is($dst->safe_psql('shop', $additions), '3', 'the site script puts them back');
is((sqlstate_of($dst, 'shop', q{SELECT ticketing.add_tickets(1, ARRAY['a-seat-label-longer-than-twenty'])}))[0],
	'23514', '... and they apply again');

# Restored by another superuser than the one that owned the schema. Without --no-owner,
# pg_restore gives the new, empty schema to its old owner (a superuser) before CREATE
# EXTENSION runs, which accepts an empty schema of a superuser; with --no-owner the
# schema is the restoring role's.
$dst->safe_psql('postgres', 'CREATE ROLE other_admin SUPERUSER LOGIN; CREATE DATABASE shop2 OWNER other_admin');
command_ok([ 'pg_restore', '--no-owner', '--exit-on-error', '-U', 'other_admin', '-h', $dst->host, '-p', $dst->port,
		'-d', 'shop2', $dump ], 'pg_restore --no-owner by another superuser');
is(table_text($dst, 'shop2', 'SELECT count(*) FROM ticketing.audit_log'), $counts{audit},
	'... restores the same audit log');
$dst->safe_psql('postgres', 'CREATE DATABASE shop3 OWNER other_admin');
command_ok([ 'pg_restore', '--exit-on-error', '-U', 'other_admin', '-h', $dst->host, '-p', $dst->port,
		'-d', 'shop3', $dump ], 'pg_restore by another superuser, owners kept');
is(table_text($dst, 'shop3', 'SELECT count(*) FROM ticketing.audit_log'), $counts{audit},
	'... restores the same audit log');

# A column added to an extension table: the dump's COPY names it, the restore fails.
$src->safe_psql('postgres', 'CREATE DATABASE altered');
$src->safe_psql('altered', q{
	CREATE EXTENSION ticketing;
	SELECT ticketing.create_event('altered', event_id => 1);
	SELECT ticketing.add_tickets(1, 3);
	ALTER TABLE ticketing.tickets ADD COLUMN price numeric});
command_ok([ 'pg_dump', '-Fc', '-h', $src->host, '-p', $src->port, '-f', "$dir/altered.dump", 'altered' ],
	'pg_dump of a database with a column added to ticketing.tickets');
$dst->safe_psql('postgres', 'CREATE DATABASE altered');
my ($out, $err) = ('', '');
my $restored = IPC::Run::run(
	[ 'pg_restore', '--exit-on-error', '-h', $dst->host, '-p', $dst->port, '-d', 'altered', "$dir/altered.dump" ],
	'>', \$out, '2>', \$err);
ok(!$restored && $err =~ /column "price" of relation "tickets" does not exist/,
	'its restore fails on the added column (so the README sends site columns to a table of their own)');

diag(sprintf('dump and restore: %s; %d rows compared after the restore',
	join(', ', map { "$counts{$_} $_" } sort keys %counts), $rows_compared));
$src->stop;
$dst->stop;
done_testing();
