// claim_batch: how locked tickets are handed to independent requests.
#include "batch_rules.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

using namespace ticketing;

namespace {

BatchTicket free_ticket(std::int64_t id, bool locked = true, std::string_view category = "general",
                        std::string_view pool = "") {
    return BatchTicket{id, TicketStatus::available, {}, false, locked, category, pool};
}

AdmitAnswer always(std::string_view, const BatchTicket*, bool) {
    return {Admission::admitted};
}

ExhaustedFunction answer(Outcome outcome) {
    return [outcome](const std::optional<std::string_view>&) { return outcome; };
}

std::string names(const std::vector<BatchDecision>& decisions) {
    std::string text;
    for (const auto& d : decisions) {
        text += std::string(outcome_name(d.outcome)) + (d.takes ? "+" : "") + " ";
    }
    return text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_rules)

BOOST_AUTO_TEST_CASE(first_request_for_a_ticket_wins_within_the_batch) {
    std::vector<BatchTicket> given = {free_ticket(1)};
    std::vector<BatchTicket> pool;
    const std::vector<BatchItem> items = {{1, "alice"}, {1, "bob"}, {1, "alice"}};
    const auto decisions = decide_batch(items, given, pool, answer(Outcome::sold_out), always);
    BOOST_TEST(names(decisions) == "claimed+ already_sold already_owned ");
    BOOST_TEST(decisions[0].ticket_id == 1);
}

BOOST_AUTO_TEST_CASE(a_ticket_held_into_a_cart_earlier_is_held_for_the_requests_after_it) {
    std::vector<BatchTicket> given = {free_ticket(1)};
    std::vector<BatchTicket> pool;
    BatchItem into_cart{1, "fay"};
    into_cart.hold = true;
    const std::vector<BatchItem> items = {into_cart, {1, "gus"}, {1, "fay"}, into_cart};
    const auto decisions = decide_batch(items, given, pool, answer(Outcome::sold_out), always);
    // gus: held (not already_sold); fay again: busy (not already_owned, nor a second take).
    BOOST_TEST(names(decisions) == "claimed+ held busy busy ");
    BOOST_TEST((given[0].status == TicketStatus::held));
}

BOOST_AUTO_TEST_CASE(keeping_ones_own_hold_needs_the_slot) {
    std::vector<BatchTicket> given = {
        BatchTicket{1, TicketStatus::held, "bob", false, true, {}, {}},
        BatchTicket{2, TicketStatus::held, "ann", false, true, {}, {}}};
    std::vector<BatchTicket> pool;
    const SlotFunction slot_held = [](std::string_view customer) { return customer != "bob"; };
    const auto decisions = decide_batch({{1, "bob"}, {2, "ann"}}, given, pool,
                                        answer(Outcome::sold_out), always, slot_held);
    BOOST_TEST(names(decisions) == "busy claimed+ ");
    BOOST_TEST((given[0].status == TicketStatus::held));
}

BOOST_AUTO_TEST_CASE(unknown_locked_elsewhere_and_sold_tickets) {
    std::vector<BatchTicket> given = {
        free_ticket(2, false), BatchTicket{3, TicketStatus::sold, "zoe", false, false, {}, {}}};
    std::vector<BatchTicket> pool;
    const std::vector<BatchItem> items = {{9, "a"}, {2, "a"}, {3, "a"}, {3, "zoe"}};
    const auto decisions = decide_batch(items, given, pool, answer(Outcome::sold_out), always);
    BOOST_TEST(names(decisions) == "not_found busy already_sold already_owned ");
}

BOOST_AUTO_TEST_CASE(any_seat_requests_take_the_pool_in_order_then_exhaust) {
    std::vector<BatchTicket> given;
    std::vector<BatchTicket> pool = {free_ticket(7), free_ticket(8)};
    const std::vector<BatchItem> items = {
        {std::nullopt, "a"}, {std::nullopt, "b"}, {std::nullopt, "c"}};
    const auto decisions = decide_batch(items, given, pool, answer(Outcome::busy), always);
    BOOST_TEST(names(decisions) == "claimed+ claimed+ busy ");
    BOOST_TEST(decisions[0].ticket_id == 7);
    BOOST_TEST(decisions[1].ticket_id == 8);
    BOOST_TEST(decisions[2].ticket_id == 0);
}

BOOST_AUTO_TEST_CASE(limits_are_counted_across_the_batch) {
    std::map<std::string, int> room = {{"a", 1}, {"b", 0}, {"c", 5}};
    const auto admit = [&](std::string_view customer, const BatchTicket*, bool take) {
        int& left = room[std::string(customer)];
        if (left <= 0) {
            return AdmitAnswer{Admission::limit_reached};
        }
        left -= take ? 1 : 0;
        return AdmitAnswer{Admission::admitted};
    };
    std::vector<BatchTicket> given = {free_ticket(1), free_ticket(2)};
    std::vector<BatchTicket> pool = {free_ticket(5)};
    const std::vector<BatchItem> items = {
        {1, "a"}, {2, "a"}, {std::nullopt, "b"}, {2, "c"}, {std::nullopt, "c"}};
    const auto decisions = decide_batch(items, given, pool, answer(Outcome::sold_out), admit);
    // a may take one; b none; the ticket a could not take goes to c, and the pooled
    // ticket b could not take goes to c's any-seat request.
    BOOST_TEST(names(decisions) == "claimed+ limit_reached limit_reached claimed+ claimed+ ");
    BOOST_TEST(decisions[4].ticket_id == 5);
}

BOOST_AUTO_TEST_CASE(an_empty_pool_tells_a_customer_without_room_so) {
    std::map<std::string, int> room = {{"full", 0}, {"free", 3}};
    const auto admit = [&](std::string_view customer, const BatchTicket*, bool take) {
        int& left = room[std::string(customer)];
        if (left <= 0) {
            return AdmitAnswer{Admission::limit_reached};
        }
        left -= take ? 1 : 0;
        return AdmitAnswer{Admission::admitted};
    };
    std::vector<BatchTicket> given;
    std::vector<BatchTicket> pool;
    const auto decisions = decide_batch({{std::nullopt, "full"}, {std::nullopt, "free"}}, given,
                                        pool, answer(Outcome::sold_out), admit);
    BOOST_TEST(names(decisions) == "limit_reached sold_out ");
    BOOST_TEST(room["free"] == 3); // only looked at
}

BOOST_AUTO_TEST_CASE(a_busy_slot_answers_busy_when_the_pool_is_empty) {
    const auto busy = [](std::string_view, const BatchTicket*, bool) {
        return AdmitAnswer{Admission::busy};
    };
    std::vector<BatchTicket> given;
    std::vector<BatchTicket> pool;
    const auto decisions =
        decide_batch({{std::nullopt, "x"}}, given, pool, answer(Outcome::sold_out), busy);
    BOOST_TEST(names(decisions) == "busy ");
}

BOOST_AUTO_TEST_CASE(any_seat_requests_take_only_from_their_category_pool) {
    std::vector<BatchTicket> given;
    std::vector<BatchTicket> pool = {free_ticket(1, true, "VIP", "VIP"),
                                     free_ticket(2, true, "general", ""),
                                     free_ticket(3, true, "VIP", "VIP")};
    const std::vector<BatchItem> items = {{std::nullopt, "a", std::string_view("VIP")},
                                          {std::nullopt, "b", std::nullopt},
                                          {std::nullopt, "c", std::string_view("VIP")},
                                          {std::nullopt, "d", std::nullopt},
                                          {std::nullopt, "e", std::string_view("Balcony")}};
    const auto exhausted = [](const std::optional<std::string_view>& category) {
        return category && *category == "Balcony" ? Outcome::sold_out : Outcome::busy;
    };
    const auto decisions = decide_batch(items, given, pool, exhausted, always);
    BOOST_TEST(names(decisions) == "claimed+ claimed+ claimed+ busy sold_out ");
    BOOST_TEST(decisions[0].ticket_id == 1);
    BOOST_TEST(decisions[1].ticket_id == 2);
    BOOST_TEST(decisions[2].ticket_id == 3);
}

BOOST_AUTO_TEST_CASE(a_quota_refusal_answers_as_the_admission_says) {
    // A quota budget of one VIP unit: the second VIP sale is refused with
    // quota_exhausted, the general ticket is not covered.
    int vip_units = 1;
    const auto admit = [&](std::string_view, const BatchTicket* ticket, bool take) {
        if (ticket != nullptr && ticket->category == "VIP") {
            if (vip_units == 0) {
                return AdmitAnswer{Admission::limit_reached, Outcome::quota_exhausted};
            }
            vip_units -= take ? 1 : 0;
        }
        return AdmitAnswer{Admission::admitted};
    };
    std::vector<BatchTicket> given = {free_ticket(1, true, "VIP"), free_ticket(2, true, "VIP"),
                                      free_ticket(3, true, "general")};
    std::vector<BatchTicket> pool;
    const auto decisions =
        decide_batch({{1, "a"}, {2, "b"}, {3, "c"}}, given, pool, answer(Outcome::sold_out), admit);
    BOOST_TEST(names(decisions) == "claimed+ quota_exhausted claimed+ ");
}

BOOST_AUTO_TEST_CASE(lapsed_holds_are_sold_and_report_their_old_status) {
    std::vector<BatchTicket> given = {BatchTicket{4, TicketStatus::held, "x", true, true, {}, {}}};
    std::vector<BatchTicket> pool;
    const auto decisions = decide_batch({{4, "y"}}, given, pool, answer(Outcome::sold_out), always);
    BOOST_TEST(names(decisions) == "claimed+ ");
    BOOST_TEST(status_name(decisions[0].from) == "held");
}

BOOST_AUTO_TEST_CASE(only_tickets_named_once_are_independent) {
    const std::vector<BatchItem> items = {
        {1, "a"}, {2, "b"}, {1, "c"}, {std::nullopt, "d"}, {3, "e"}};
    const auto once = named_once(items);
    BOOST_TEST(once.size() == 2U);
    BOOST_TEST(once.count(2) == 1U);
    BOOST_TEST(once.count(3) == 1U);
    BOOST_TEST(once.count(1) == 0U);
}

BOOST_AUTO_TEST_CASE(lock_free_plans) {
    const BatchTicket available = free_ticket(1, false);
    const BatchTicket sold_to_x{1, TicketStatus::sold, "x", false, false};
    const BatchTicket held_by_x{1, TicketStatus::held, "x", false, false};
    const BatchTicket lapsed_hold{1, TicketStatus::held, "x", true, false};
    const auto plan = [](const BatchTicket* t, std::string_view who, bool once, bool limit) {
        const LockFreePlan p = plan_lock_free(t, who, once, limit);
        return std::string(p.step == LockFreeStep::answer ? "answer:" : "") +
               (p.step == LockFreeStep::answer ? std::string(outcome_name(p.outcome))
                : p.step == LockFreeStep::sell ? "sell"
                                               : "lock");
    };
    // Named once, no limit: answers come from the look, an available ticket is sold.
    BOOST_TEST(plan(&available, "y", true, false) == "sell");
    BOOST_TEST(plan(&sold_to_x, "y", true, false) == "answer:already_sold");
    BOOST_TEST(plan(&sold_to_x, "x", true, false) == "answer:already_owned");
    BOOST_TEST(plan(&held_by_x, "y", true, false) == "answer:held");
    BOOST_TEST(plan(nullptr, "y", true, false) == "answer:not_found");
    // A sale of anything but an available ticket needs the lock.
    BOOST_TEST(plan(&lapsed_hold, "y", true, false) == "lock");
    BOOST_TEST(plan(&held_by_x, "x", true, false) == "lock");
    // A limit spans requests: answers still come from the look, sales need the lock.
    BOOST_TEST(plan(&available, "y", true, true) == "lock");
    BOOST_TEST(plan(&sold_to_x, "y", true, true) == "answer:already_sold");
    // A ticket another request names is decided with that request, in order.
    BOOST_TEST(plan(&available, "y", false, false) == "lock");
    BOOST_TEST(plan(&sold_to_x, "y", false, false) == "lock");
    BOOST_TEST(plan(nullptr, "y", false, false) == "lock");
}

BOOST_AUTO_TEST_SUITE_END()
