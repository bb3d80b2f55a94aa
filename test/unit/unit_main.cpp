// Entry point of the Boost.Test unit tests for the ticketing domain core.
#define BOOST_TEST_MODULE ticketing_core
#include <boost/test/unit_test.hpp>
