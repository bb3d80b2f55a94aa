#include "admission_rules.hpp"

#include "domain_error.hpp"

#include <string>

namespace ticketing {

void require_gate(const std::optional<std::string_view>& gate, std::string_view argument) {
    if (!gate) {
        throw DomainError(ErrorKind::null_value, std::string(argument) + " must not be NULL");
    }
    if (gate->empty() || gate->size() > max_gate_bytes) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " must be 1 to " +
                              std::to_string(max_gate_bytes) + " bytes long, got " +
                              std::to_string(gate->size()),
                          "Name the gate or scanner, for example 'north-2'.");
    }
}

void require_scan_time(std::optional<std::int64_t> scanned_at, bool finite, std::int64_t now,
                       std::string_view argument) {
    if (!scanned_at) {
        throw DomainError(ErrorKind::null_value, std::string(argument) + " must not be NULL",
                          "Pass the time the gate scanned the code.");
    }
    if (!finite || *scanned_at > now + max_scan_ahead_micros) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " must be a finite time at most a day ahead of "
                                                  "the server's clock",
                          "Check the gate's clock.");
    }
}

CheckInVerdict decide_check_in(CodeMatch match, TicketStatus status, bool admitted) {
    if (match == CodeMatch::none) {
        return {false, Outcome::unknown_code};
    }
    if (status != TicketStatus::sold) {
        return {false, Outcome::not_sold};
    }
    if (match == CodeMatch::past) {
        return {false, Outcome::revoked};
    }
    if (admitted) {
        return {false, Outcome::already_admitted};
    }
    return {true, Outcome::admitted};
}

Outcome decide_foreign_code(CodeMatch match) {
    return match == CodeMatch::none ? Outcome::unknown_code : Outcome::wrong_event;
}

AdmissionPlan plan_admission(std::optional<std::int64_t> recorded_at,
                             const std::vector<ScanTime>& scans) {
    std::optional<std::size_t> earliest;
    for (std::size_t i = 0; i < scans.size(); ++i) {
        if (!earliest || scans[i].at < scans[*earliest].at ||
            (scans[i].at == scans[*earliest].at && scans[i].scan_no < scans[*earliest].scan_no)) {
            earliest = i;
        }
    }
    if (!earliest || (recorded_at && *recorded_at <= scans[*earliest].at)) {
        return {std::nullopt, false};
    }
    return {earliest, recorded_at.has_value()};
}

TransferVerdict decide_transfer(const TicketState& ticket) {
    if (ticket.status != TicketStatus::sold) {
        return {false, Outcome::not_sold};
    }
    if (!ticket.owned_by_customer) {
        return {false, Outcome::not_owner};
    }
    if (ticket.admitted) {
        return {false, Outcome::already_admitted};
    }
    return {true, Outcome::transferred};
}

void require_other_customer(std::string_view from_customer, std::string_view to_customer) {
    if (from_customer == to_customer) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "to_customer must differ from from_customer",
                          "A ticket is transferred to another customer; the owner keeps it "
                          "otherwise.");
    }
}

} // namespace ticketing
