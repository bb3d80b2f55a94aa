#include "ticket_status.hpp"

namespace ticketing {

std::string_view status_name(TicketStatus status) {
    switch (status) {
    case TicketStatus::available:
        return "available";
    case TicketStatus::held:
        return "held";
    case TicketStatus::sold:
        return "sold";
    }
    return "unknown";
}

std::optional<TicketStatus> parse_status(std::string_view name) {
    for (auto status : {TicketStatus::available, TicketStatus::held, TicketStatus::sold}) {
        if (status_name(status) == name) {
            return status;
        }
    }
    return std::nullopt;
}

} // namespace ticketing
