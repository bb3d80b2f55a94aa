// Ticket codes (1.3): each sold ticket's code is a MAC over the ticket, its owner and the
// time of its sale under a server-side secret (core/ticket_code.hpp has the format), so a
// sale writes nothing for it, a code cannot be guessed, and a transfer, a resale or a
// rotated secret makes the old code stop matching.
//
// The secret lives in ticketing.code_secret, readable by the extension's owner only. It
// is kept in this backend's memory and forgotten when the table changes: a statement
// trigger on the table (any change: rotate_code_secret(), a restore's COPY, an edit by
// hand) sends a relcache invalidation, which every backend receives with the lock each
// call takes on the table. It is read with the newest snapshot, never a transaction's
// older one.
#pragma once

#include "batch_calls.hpp"
#include "call_types.hpp"
#include "direct_reads.hpp"

#include "../core/admission_rules.hpp"
#include "../core/ticket_code.hpp"

namespace ticketing::backend {

// Called once per backend (from _PG_init).
void register_code_secret_reset();

// Whether the schema has check-in and codes (1.3; an older schema the library still
// serves has neither). After lock_core_tables().
bool codes_in_schema();

// The code of ticket `ticket_id` sold to `owner` at `sold_at` (tickets.updated_at of
// the sold row), as a text Datum in the call's memory context.
Datum code_for(std::int64_t event_id, std::int64_t ticket_id, std::string_view owner,
               TimestampTz sold_at);

// Which sale of its ticket a decoded code matches: the ticket's current one (sold to its
// owner at updated_at), an earlier one (its audit trail), or none.
CodeMatch match_code(const CodeFields& fields, const CodedTicket& ticket);

// Fills result.codes for an answer that gives the customer sold tickets. A single-ticket
// answer's time is its ticket's sale time (claimed: this sale; already_owned: the one the
// ticket carries), so its code needs no read.
void attach_ticket_code(CallResult& result, std::int64_t ticket_id, Datum customer);

// The same for an order's tickets: `sold_now` when every ticket was sold by this answer
// at result.at (claim_any); otherwise the tickets still sold to the customer are read
// (one statement), and a ticket no longer theirs gets no code.
void attach_order_codes(CallResult& result, Datum customer, bool sold_now);

// The same for claim_batch's rows: a sale of this batch (or the replay of one) at its
// time, other answers that give sold tickets from one read.
void attach_batch_codes(const BatchArgs& args, BatchRow* rows);

// ticket_codes(event_id, customer): the customer's sold tickets in the event with their
// codes, in ticket order.
struct OwnedCode {
    std::int64_t ticket_id;
    Datum seat;
    Datum code;
};
std::vector<OwnedCode> run_ticket_codes(const CallArgs& args);

// The trigger on ticketing.code_secret: every backend forgets its copy of the secret when
// the change commits (this one at once).
void code_secret_changed(Oid relid);

// rotate_code_secret(): superuser only (42501). Replaces every secret with 256 new random
// bits; returns the new secret's creation time.
TimestampTz run_rotate_code_secret();

} // namespace ticketing::backend
