// The live feed's rules: the stable bound, the events a transaction changed (with
// savepoints), channels and payloads, changes_since's arguments.
#include "domain_error.hpp"
#include "feed_rules.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace ticketing;

namespace {

// The kind of error a request gets, as a number (ErrorKind has no operator<<).
int kind_of(const ChangesRequest& request) {
    try {
        validate_changes_request(request);
    } catch (const DomainError& error) {
        return static_cast<int>(error.kind());
    }
    BOOST_FAIL("expected a DomainError");
    return -1;
}

using Changed = std::vector<std::pair<std::int64_t, std::int64_t>>;

} // namespace

BOOST_AUTO_TEST_SUITE(feed_rules)

BOOST_AUTO_TEST_CASE(bound_without_running_writers_is_past_the_sequence) {
    // Nothing running: every id drawn so far (up to 41) is settled.
    BOOST_TEST(first_unsettled_id(41, std::nullopt) == 42);
    // A fresh sequence (nothing drawn) settles nothing yet.
    BOOST_TEST(first_unsettled_id(0, std::nullopt) == 1);
}

BOOST_AUTO_TEST_CASE(bound_stops_at_the_oldest_running_writer) {
    // The oldest running writer began when the sequence stood at 30: it may still commit
    // 31, so only ids up to 30 are settled.
    BOOST_TEST(first_unsettled_id(41, 30) == 31);
    // A floor above the sequence value read before it cannot raise the bound.
    BOOST_TEST(first_unsettled_id(41, 50) == 42);
    // A writer that began before anything was drawn holds everything back.
    BOOST_TEST(first_unsettled_id(41, 0) == 1);
}

BOOST_AUTO_TEST_CASE(what_the_caller_knows_settled_extends_the_bound) {
    // A writer that read the sequence just before a snapshot and published its floor just
    // after can make a later bound smaller than the snapshot's: ids the caller knows are
    // settled are handed out anyway.
    BOOST_TEST(read_bound(31, 40) == 41);
    BOOST_TEST(read_bound(42, 40) == 42);
    BOOST_TEST(read_bound(42, 0) == 42);
}

BOOST_AUTO_TEST_CASE(transaction_changes_keep_the_highest_id_per_event) {
    TransactionChanges changes;
    BOOST_TEST(changes.empty());
    changes.record(7, 100, 1);
    changes.record(7, 103, 1);
    changes.record(7, 101, 1);
    changes.record(3, 102, 1);
    BOOST_TEST((changes.changed_events() == Changed{{3, 102}, {7, 103}}));
    changes.clear();
    BOOST_TEST(changes.empty());
}

BOOST_AUTO_TEST_CASE(rolled_back_savepoints_announce_nothing) {
    TransactionChanges changes;
    changes.record(7, 100, 1);
    changes.record(7, 105, 2); // SAVEPOINT a; a claim; ROLLBACK TO a
    changes.record(9, 106, 3); // a savepoint inside it
    changes.abort_subtransaction(3);
    changes.abort_subtransaction(2);
    BOOST_TEST((changes.changed_events() == Changed{{7, 100}}));
}

BOOST_AUTO_TEST_CASE(released_savepoints_belong_to_their_parent) {
    TransactionChanges changes;
    changes.record(7, 100, 1);
    changes.record(7, 105, 2);
    changes.record(9, 106, 3);
    changes.commit_subtransaction(3); // RELEASE the inner savepoint
    changes.commit_subtransaction(2); // and the outer one
    BOOST_TEST((changes.changed_events() == Changed{{7, 105}, {9, 106}}));
    // After the release, a rollback of a later savepoint at level 2 keeps them.
    changes.record(9, 110, 2);
    changes.abort_subtransaction(2);
    BOOST_TEST((changes.changed_events() == Changed{{7, 105}, {9, 106}}));
}

BOOST_AUTO_TEST_CASE(channels_and_payloads) {
    BOOST_TEST(feed_channel(42) == "ticketing_feed_42");
    BOOST_TEST(feed_payload(42, 1017) == "{\"event_id\":42,\"audit_id\":1017}");
    BOOST_TEST(feed_payload(std::numeric_limits<std::int64_t>::max(), 1) ==
               "{\"event_id\":9223372036854775807,\"audit_id\":1}");
}

BOOST_AUTO_TEST_CASE(changes_since_arguments) {
    const ValidChangesRequest valid = validate_changes_request(ChangesRequest{5, 0, 1000, 0});
    BOOST_TEST(valid.event_id == 5);
    BOOST_TEST(valid.after_audit_id == 0);
    BOOST_TEST(valid.max_rows == 1000);
    const ValidChangesRequest paged =
        validate_changes_request(ChangesRequest{5, 7, max_changes_rows, 3});
    BOOST_TEST(paged.max_rows == max_changes_rows);
    BOOST_TEST(paged.settled_through == 3);

    BOOST_TEST(kind_of(ChangesRequest{std::nullopt, 0, 10, 0}) ==
               static_cast<int>(ErrorKind::null_value));
    BOOST_TEST(kind_of(ChangesRequest{5, std::nullopt, 10, 0}) ==
               static_cast<int>(ErrorKind::null_value));
    BOOST_TEST(kind_of(ChangesRequest{5, 0, std::nullopt, 0}) ==
               static_cast<int>(ErrorKind::null_value));
    BOOST_TEST(kind_of(ChangesRequest{0, 0, 10, 0}) ==
               static_cast<int>(ErrorKind::invalid_parameter));
    BOOST_TEST(kind_of(ChangesRequest{-3, 0, 10, 0}) ==
               static_cast<int>(ErrorKind::invalid_parameter));
    BOOST_TEST(kind_of(ChangesRequest{5, -1, 10, 0}) ==
               static_cast<int>(ErrorKind::invalid_parameter));
    BOOST_TEST(kind_of(ChangesRequest{5, 0, 0, 0}) ==
               static_cast<int>(ErrorKind::invalid_parameter));
    BOOST_TEST(kind_of(ChangesRequest{5, 0, max_changes_rows + 1, 0}) ==
               static_cast<int>(ErrorKind::invalid_parameter));
    BOOST_TEST(kind_of(ChangesRequest{5, 0, 10, std::nullopt}) ==
               static_cast<int>(ErrorKind::null_value));
    BOOST_TEST(kind_of(ChangesRequest{5, 0, 10, -1}) ==
               static_cast<int>(ErrorKind::invalid_parameter));
}

BOOST_AUTO_TEST_SUITE_END()
