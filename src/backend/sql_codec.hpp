// Decoding SQL arguments into CallArgs and encoding CallResult as composite Datums.
// These run in the extern "C" shims, outside any C++ object's lifetime. An argument
// position past PG_NARGS() (an older SQL signature) reads as NULL.
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

std::optional<std::int64_t> int64_arg(FunctionCallInfo fcinfo, int n);
std::optional<std::int64_t> int32_arg(FunctionCallInfo fcinfo, int n);
std::optional<bool> bool_arg(FunctionCallInfo fcinfo, int n);
std::optional<std::string_view> text_arg(FunctionCallInfo fcinfo, int n, Datum* datum);
void interval_arg(FunctionCallInfo fcinfo, int n, CallArgs* args);
void int8_array_arg(FunctionCallInfo fcinfo, int n, CallArgs* args);

// ticketing.ticket_result (outcome, event_id, ticket_id, seat, owner_is_you, at,
// hold_expires_at, quota, code) from the first ticket of the result; an older schema's
// type has fewer columns.
Datum encode_ticket_result(FunctionCallInfo fcinfo, const CallResult& result);

// ticketing.order_result (outcome, event_id, ticket_ids, seats, remaining, at,
// hold_expires_at, quota, codes).
Datum encode_order_result(FunctionCallInfo fcinfo, const CallResult& result);

// ticketing.cart_result (outcome, event_id, token, expires_at, ticket_ids, seats).
Datum encode_cart_result(FunctionCallInfo fcinfo, const CallResult& result);

// The blessed descriptor of the function's composite result, cached per call site.
TupleDesc result_descriptor(FunctionCallInfo fcinfo);

} // namespace ticketing::backend
