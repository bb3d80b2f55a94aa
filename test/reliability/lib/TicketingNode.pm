# Clusters for the reliability tests, and the checks they share: amcheck, leftover
# locks, a table's rows as text, SQLSTATEs of statements run through psql.
package TicketingNode;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(ticketing_node amcheck_problems leftover_locks table_text sqlstate_of
  tables_checksum crash_lines error_entries);

# A node that restarts after a backend crash (Cluster.pm turns that off), logs each
# line's SQLSTATE and no statements. TICKETING_EXTENSION_DESTDIR points it at a private
# install of the extension (development); without it, the system's install is used.
sub ticketing_node
{
	my ($name, %params) = @_;
	my $extra = delete $params{conf} // '';
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%params);
	my $conf = <<'EOF';
restart_after_crash = on
log_statement = none
log_line_prefix = '%m [%p] %e '
log_error_verbosity = verbose
max_connections = 100
shared_buffers = 128MB
EOF
	if (my $destdir = $ENV{TICKETING_EXTENSION_DESTDIR})
	{
		$conf .= "extension_destdir = '$destdir'\n";
	}
	$node->append_conf('postgresql.conf', $conf . $extra);
	return $node;
}

# amcheck over the whole schema: bt_index_check(idx, heapallindexed => true) on every
# B-tree index and verify_heapam on every table (with its TOAST table). Returns the
# number of relations checked and the problems found (empty when clean). The amcheck
# extension must exist in $db (on a standby: created on the primary).
sub amcheck_problems
{
	my ($node, $db) = @_;
	my @problems;
	my @indexes = split /\n/, $node->safe_psql($db, q{
		SELECT c.oid::regclass FROM pg_class c JOIN pg_am a ON a.oid = c.relam
		 WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind = 'i'
		   AND a.amname = 'btree' ORDER BY 1});
	for my $index (@indexes)
	{
		my ($rc, $out, $err) =
		  $node->psql($db, "SELECT bt_index_check('$index'::regclass, true)");
		push @problems, "$index: $err" if $rc != 0;
	}
	my @tables = split /\n/, $node->safe_psql($db, q{
		SELECT c.oid::regclass FROM pg_class c
		 WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind = 'r' ORDER BY 1});
	for my $table (@tables)
	{
		my ($rc, $out, $err) = $node->psql($db,
			"SELECT blkno, offnum, attnum, msg FROM verify_heapam('$table'::regclass, check_toast => true)");
		push @problems, "$table: " . ($rc != 0 ? $err : $out) if $rc != 0 || $out ne '';
	}
	die "amcheck found no relations to check in $db" unless @indexes && @tables;
	return (scalar(@indexes) + scalar(@tables), @problems);
}

# Locks still held by client sessions other than the caller's, prepared transactions,
# and row locks (pgrowlocks) on the extension's tables. Returns a description of each.
sub leftover_locks
{
	my ($node, $db) = @_;
	my @found;
	push @found, map { "lock: $_" } grep { $_ ne '' } split /\n/, $node->safe_psql($db, q{
		SELECT l.pid || ' ' || l.locktype || ' ' || l.mode
		  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		 WHERE a.backend_type = 'client backend' AND l.pid <> pg_backend_pid()});
	push @found, map { "prepared: $_" } grep { $_ ne '' } split /\n/,
	  $node->safe_psql($db, 'SELECT gid FROM pg_prepared_xacts');
	$node->safe_psql($db, 'CREATE EXTENSION IF NOT EXISTS pgrowlocks');
	for my $table (qw(events tickets customer_slots idempotency_keys audit_log))
	{
		push @found, map { "row lock in $table: $_" } grep { $_ ne '' } split /\n/,
		  $node->safe_psql($db,
			"SELECT locked_row || ' ' || array_to_string(modes, ',') FROM pgrowlocks('ticketing.$table')");
	}
	return @found;
}

# A query's rows as text, one line each (psql -XAtq), for row-by-row comparisons.
sub table_text
{
	my ($node, $db, $query) = @_;
	return $node->safe_psql($db, $query);
}

# md5 of every row of the extension's five tables, in key order: "unchanged" means
# this is the same before and after.
sub tables_checksum
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, q{
		SELECT md5(string_agg(x, E'\n'))
		  FROM (SELECT 'e' || e::text AS x FROM (SELECT * FROM ticketing.events ORDER BY event_id) e
		        UNION ALL
		        SELECT 't' || t::text FROM (SELECT * FROM ticketing.tickets ORDER BY event_id, ticket_id) t
		        UNION ALL
		        SELECT 'a' || a::text FROM (SELECT * FROM ticketing.audit_log ORDER BY audit_id) a
		        UNION ALL
		        SELECT 'k' || k::text FROM (SELECT * FROM ticketing.idempotency_keys
		                                    ORDER BY customer, idempotency_key) k
		        UNION ALL
		        SELECT 's' || s::text FROM (SELECT * FROM ticketing.customer_slots
		                                    ORDER BY event_id, customer) s) rows});
}

# Lines of a server log that tell of a crashed backend (signal, exception, an exit code
# other than 0 or 1), a PANIC or a failed assertion.
sub crash_lines
{
	my ($log) = @_;
	return $log =~ /^(.*(?:terminated by signal|terminated by exception|exited with exit code [^01]|PANIC:|TRAP:).*)$/mg;
}

# The ERROR entries of a server log written with log_line_prefix '%m [%p] %e ' and
# log_error_verbosity = verbose: { state, text } with the LOCATION, CONTEXT, DETAIL,
# HINT and STATEMENT lines that follow each.
sub error_entries
{
	my ($log) = @_;
	my @entries;
	for my $line (split /\n/, $log)
	{
		if ($line =~ /^\S+ \S+ \S+ \[\d+\] (\w{5}) ERROR:/)
		{
			push @entries, { state => $1, text => $line };
		}
		elsif (@entries && ($line =~ /^\S+ \S+ \S+ \[\d+\] \w{5} (LOCATION|CONTEXT|DETAIL|HINT|STATEMENT):/
				|| $line =~ /^\t/))
		{
			$entries[-1]{text} .= "\n$line";
		}
	}
	return @entries;
}

# Runs one statement through psql and returns its SQLSTATE ('00000' on success) and
# the error message.
sub sqlstate_of
{
	my ($node, $db, $sql) = @_;
	my ($rc, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\n$sql");
	return ('00000', '') if $rc == 0 && $err !~ /ERROR:/;
	my ($state) = $err =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($state // 'none', $err);
}

1;
