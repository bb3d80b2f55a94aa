// Ticket statuses as stored in ticketing.tickets.status.
#pragma once

#include <optional>
#include <string_view>

namespace ticketing {

enum class TicketStatus { available, held, sold };

std::string_view status_name(TicketStatus status);
std::optional<TicketStatus> parse_status(std::string_view name);

} // namespace ticketing
