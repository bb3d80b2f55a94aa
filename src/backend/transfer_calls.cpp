#include "transfer_calls.hpp"

#include "call_frame.hpp"
#include "checkin_calls.hpp"
#include "customer_limits.hpp"
#include "direct_reads.hpp"
#include "idempotency.hpp"
#include "stats.hpp"
#include "subtransaction.hpp"
#include "ticket_codes.hpp"
#include "ticket_store.hpp"
#include "waitlist.hpp"

#include "../core/admission_rules.hpp"
#include "../core/domain_error.hpp"
#include "../core/order_rules.hpp"
#include "../core/validation.hpp"

namespace ticketing::backend {

namespace {

CallResult answer(std::int64_t event_id, std::int64_t ticket_id, Outcome outcome,
                  const TicketRow* row) {
    CallResult result = empty_result(outcome, event_id);
    result.requested_ticket_id = ticket_id;
    if (row != nullptr) {
        result.count = 1;
        result.ticket_ids[0] = row->ticket_id;
        result.seats[0] = row->seat;
        result.has_at = true;
        result.at = row->updated_at;
    }
    return result;
}

CallResult settle_transfer(std::int64_t event_id, std::int64_t ticket_id, const CallArgs& args) {
    TicketRow locked{};
    switch (lock_ticket(event_id, ticket_id, args.customer_datum, LockWait{WaitPolicy::wait, 0},
                        &locked)) {
    case LockStatus::missing:
    case LockStatus::skipped: // not with a wait policy of wait
        return answer(event_id, ticket_id, Outcome::not_found, nullptr);
    case LockStatus::locked:
        break;
    }
    locked.state.admitted =
        locked.state.status == TicketStatus::sold && ticket_was_admitted(event_id, ticket_id);
    const TransferVerdict verdict = decide_transfer(locked.state);
    if (!verdict.move) {
        return answer(event_id, ticket_id, verdict.outcome, &locked);
    }
    // The receiver's limit, as for a sale to them: their slot locked and written, then
    // counted (REPEATABLE READ: 40001 when another of their claims committed since).
    const EventInfo event = read_event(event_id);
    const bool walk_after = event.has_limit && event.waitlist_open &&
                            lock_offers_for_sender(event_id, args.customer_datum);
    if (event.has_limit) {
        switch (admit_customer(event_id, args.to_customer_datum, event.limit, 1,
                               SlotWait{SlotWait::wait, 0})) {
        case SlotAdmission::limit_reached:
            return answer(event_id, ticket_id, Outcome::limit_reached, &locked);
        case SlotAdmission::busy:
        case SlotAdmission::admitted:
            break;
        }
    }
    Datum statement_args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id),
                              args.customer_datum, args.to_customer_datum};
    if (run_plan(PlanId::transfer_ticket, statement_args, nullptr) != 1) {
        change_skipped(event_id, 0, 1);
    }
    CallResult result = answer(event_id, ticket_id, Outcome::transferred, &locked);
    pg_call([&] {
        bool is_null = false;
        result.at = DatumGetTimestampTz(
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
        result.seats[0] = SPI_datumTransfer(
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &is_null), false, -1);
    });
    if (walk_after) {
        // The sender has room again: what is on sale goes down the list, their entry too.
        offer_free_tickets(event_id, event, 0, LockWait{WaitPolicy::wait, 0});
    }
    return result;
}

} // namespace

CallResult run_transfer_ticket(const CallArgs& args) {
    require_id("event_id", args.event_id);
    require_id("ticket_id", args.ticket_id);
    require_customer(args.customer, "from_customer");
    require_customer(args.to_customer, "to_customer");
    require_other_customer(*args.customer, *args.to_customer);
    require_idempotency_key(args.idempotency_key);
    const std::int64_t event_id = *args.event_id;
    const std::int64_t ticket_id = *args.ticket_id;
    std::string fingerprint;
    if (args.idempotency_key) {
        Fingerprint print("transfer_ticket");
        print.add("event_id", event_id)
            .add("ticket_id", ticket_id)
            .add("to_customer", *args.to_customer);
        fingerprint = print.text();
    }
    CallResult result = in_backend_call("transfer_ticket()", event_id, [&] {
        CallResult moved = with_idempotency(args, event_id, fingerprint, [&] {
            // A refusal (not the owner, checked in, the receiver's limit) keeps no lock.
            return keep_locks_only_on_change(
                [&] { return settle_transfer(event_id, ticket_id, args); });
        });
        // The receiver's new code (also when a retry replays the transfer).
        if (moved.outcome == Outcome::transferred && codes_in_schema() && moved.has_at) {
            moved.has_codes = true;
            moved.codes[0] =
                code_for(event_id, ticket_id, text_view(args.to_customer_datum), moved.at);
        }
        return moved;
    });
    result.requested_ticket_id = ticket_id;
    count_outcome(event_id, result.outcome);
    return result;
}

} // namespace ticketing::backend
