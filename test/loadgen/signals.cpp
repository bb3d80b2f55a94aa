#include "signals.h"

#include <atomic>
#include <csignal>

#include <signal.h>

namespace loadgen {

namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "flag must be async-signal-safe");

extern "C" void on_interrupt(int) {
    g_interrupted.store(true);
}

} // namespace

void install_interrupt_handlers() {
    struct sigaction action = {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // SA_RESETHAND: the next signal gets the default action, so a second Ctrl-C kills.
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() {
    return g_interrupted.load();
}

} // namespace loadgen
