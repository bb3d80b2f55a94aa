// SIGINT/SIGTERM request a clean shutdown; a second signal terminates at once.
#pragma once

namespace loadgen {

// Exit status of a run cut short by a signal (128 + SIGINT, as a shell reports it).
constexpr int kExitInterrupted = 130;

void install_interrupt_handlers();
bool interrupted();

} // namespace loadgen
