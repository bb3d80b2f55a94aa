// SQL entry points for single-ticket calls: decode, run the C++ body through the
// guard, encode. Nothing else happens here.
#include "../backend/pg_guard.hpp"
#include "../backend/result_codec.hpp"

using namespace ticketing::backend;

extern "C" {

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(ticketing_claim_ticket);
Datum ticketing_claim_ticket(PG_FUNCTION_ARGS) {
    const TicketArgs args = decode_ticket_args(fcinfo, true);
    TicketResult result{};
    run_guarded([&] { result = claim_ticket(args); });
    return encode_ticket_result(fcinfo, result);
}

PG_FUNCTION_INFO_V1(ticketing_release_ticket);
Datum ticketing_release_ticket(PG_FUNCTION_ARGS) {
    const TicketArgs args = decode_ticket_args(fcinfo, false);
    TicketResult result{};
    run_guarded([&] { result = release_ticket(args); });
    return encode_ticket_result(fcinfo, result);
}

} // extern "C"
