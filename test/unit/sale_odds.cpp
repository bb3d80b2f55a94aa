// The choice of a claim's first step: look first, or try the selling statement first.
#include "sale_odds.hpp"

#include <boost/test/unit_test.hpp>

using namespace ticketing;

BOOST_AUTO_TEST_SUITE(sale_odds)

BOOST_AUTO_TEST_CASE(a_new_event_expects_sales) {
    const SaleOdds odds;
    BOOST_TEST(odds.expect_sale(42));
}

BOOST_AUTO_TEST_CASE(refusals_turn_it_to_looking_first_within_a_few_claims) {
    SaleOdds odds;
    int claims = 0;
    while (odds.expect_sale(7)) {
        odds.record(7, false);
        ++claims;
        BOOST_REQUIRE(claims < 20);
    }
    BOOST_TEST(claims <= 6);
}

BOOST_AUTO_TEST_CASE(sales_turn_it_back) {
    SaleOdds odds;
    for (int i = 0; i < 50; ++i) {
        odds.record(7, false);
    }
    BOOST_TEST(!odds.expect_sale(7));
    int claims = 0;
    while (!odds.expect_sale(7)) {
        odds.record(7, true);
        ++claims;
        BOOST_REQUIRE(claims < 20);
    }
    BOOST_TEST(claims <= 8);
}

BOOST_AUTO_TEST_CASE(a_mix_settles_on_the_majority) {
    SaleOdds odds;
    for (int i = 0; i < 200; ++i) {
        odds.record(3, i % 4 == 0); // one sale in four
    }
    BOOST_TEST(!odds.expect_sale(3));
    for (int i = 0; i < 200; ++i) {
        odds.record(3, i % 4 != 0); // three sales in four
    }
    BOOST_TEST(odds.expect_sale(3));
}

BOOST_AUTO_TEST_CASE(events_are_kept_apart) {
    SaleOdds odds;
    for (int i = 0; i < 50; ++i) {
        odds.record(1, false);
    }
    BOOST_TEST(!odds.expect_sale(1));
    BOOST_TEST(odds.expect_sale(2));
}

BOOST_AUTO_TEST_SUITE_END()
