#include "options.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <ostream>

namespace loadgen {

namespace {

bool parse_int64(const std::string& text, std::int64_t* out) {
    if (text.empty()) {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = value;
    return true;
}

bool parse_uint64(const std::string& text, std::uint64_t* out) {
    if (text.empty() || text[0] == '-') {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = value;
    return true;
}

bool parse_int(const std::string& text, int* out) {
    std::int64_t value = 0;
    if (!parse_int64(text, &value) || value < INT32_MIN || value > INT32_MAX) {
        return false;
    }
    *out = static_cast<int>(value);
    return true;
}

bool parse_double(const std::string& text, double* out) {
    if (text.empty()) {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = value;
    return true;
}

bool parse_mode(const std::string& text, Mode* out) {
    if (text == "sellout") {
        *out = Mode::Sellout;
    } else if (text == "stress") {
        *out = Mode::Stress;
    } else if (text == "mixed") {
        *out = Mode::Mixed;
    } else {
        return false;
    }
    return true;
}

bool parse_progress(const std::string& text, ProgressStyle* out) {
    static const std::map<std::string, ProgressStyle> styles = {
        {"auto", ProgressStyle::Auto},
        {"tty", ProgressStyle::Tty},
        {"plain", ProgressStyle::Plain},
        {"none", ProgressStyle::None},
    };
    const auto it = styles.find(text);
    if (it == styles.end()) {
        return false;
    }
    *out = it->second;
    return true;
}

// Returns an error message, or empty if the options are consistent.
std::string validate(const Options& opt) {
    if (opt.event_id == 0) {
        return "--event is required";
    }
    if (opt.clients < 1 || opt.clients > 1000) {
        return "--clients must be between 1 and 1000";
    }
    if (opt.tickets < 0) {
        return "--tickets must be positive";
    }
    if (opt.mode == Mode::Stress && opt.tickets == 0) {
        return "stress needs --tickets";
    }
    if (!(opt.duration_s > 0)) {
        return "--duration must be positive";
    }
    if (!(opt.max_seconds > 0)) {
        return "--max-seconds must be positive";
    }
    if (opt.release_percent < 0 || opt.release_percent > 100) {
        return "--release-percent must be between 0 and 100";
    }
    if (opt.customers < 1 || opt.customers > 100000) {
        return "--customers must be between 1 and 100000";
    }
    return "";
}

} // namespace

ParsedOptions parse_options(int argc, char** argv) {
    ParsedOptions parsed;
    Options& opt = parsed.options;
    using Setter = std::function<bool(const std::string&)>;
    const std::map<std::string, Setter> setters = {
        {"--mode", [&](const std::string& v) { return parse_mode(v, &opt.mode); }},
        {"--conninfo",
         [&](const std::string& v) {
             opt.conninfo = v;
             return true;
         }},
        {"--clients", [&](const std::string& v) { return parse_int(v, &opt.clients); }},
        {"--event", [&](const std::string& v) { return parse_int64(v, &opt.event_id); }},
        {"--tickets", [&](const std::string& v) { return parse_int64(v, &opt.tickets); }},
        {"--duration", [&](const std::string& v) { return parse_double(v, &opt.duration_s); }},
        {"--max-seconds", [&](const std::string& v) { return parse_double(v, &opt.max_seconds); }},
        {"--release-percent",
         [&](const std::string& v) { return parse_int(v, &opt.release_percent); }},
        {"--seed", [&](const std::string& v) { return parse_uint64(v, &opt.seed); }},
        {"--label",
         [&](const std::string& v) {
             opt.label = v;
             return true;
         }},
        {"--progress", [&](const std::string& v) { return parse_progress(v, &opt.progress); }},
        {"--customers", [&](const std::string& v) { return parse_int(v, &opt.customers); }},
    };
    std::map<std::string, bool> given;

    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            parsed.show_help = true;
            return parsed;
        }
        if (i == 1 && arg.rfind("--", 0) != 0) {
            if (!parse_mode(arg, &opt.mode)) {
                parsed.error =
                    "unknown subcommand '" + arg + "' (expected sellout, stress or mixed)";
                return parsed;
            }
            continue;
        }
        std::string value;
        bool has_value = false;
        const std::size_t eq = arg.find('=');
        if (eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_value = true;
        }
        const auto it = setters.find(arg);
        if (it == setters.end()) {
            parsed.error = "unknown option '" + arg + "'";
            return parsed;
        }
        if (!has_value) {
            if (i + 1 >= argc) {
                parsed.error = "option " + arg + " needs a value";
                return parsed;
            }
            value = argv[++i];
        }
        if (!it->second(value)) {
            parsed.error = "invalid value '" + value + "' for " + arg;
            return parsed;
        }
        given[arg] = true;
    }
    if (opt.mode == Mode::Mixed) {
        if (!given["--clients"]) {
            opt.clients = 32;
        }
        if (!given["--duration"]) {
            opt.duration_s = 20.0;
        }
    }
    parsed.error = validate(opt);
    return parsed;
}

void print_usage(std::ostream& out) {
    out << "usage: ticketing-load {sellout|stress|mixed} --event ID [options]\n"
           "\n"
           "  sellout   buy random tickets (wait => 'wait') until the event is sold out\n"
           "  stress    random claims with wait/nowait/skip plus releases, then check the DB\n"
           "  mixed     every call at random (claims, orders, holds, releases, expiry,\n"
           "            idempotent retries, rolled-back calls) by shared customers against a\n"
           "            per-customer limit, then check the DB and its audit log\n"
           "\n"
           "options:\n"
           "  --conninfo STR        libpq connection string (default: PG* environment)\n"
           "  --clients N           client threads, one connection each (default 16; mixed 32)\n"
           "  --event ID            event id (required)\n"
           "  --tickets N           ticket ids 1..N (sellout default: the event's total)\n"
           "  --duration S          stress/mixed run time in seconds (default 10; mixed 20)\n"
           "  --max-seconds S       hard cap on the run time (default 120)\n"
           "  --release-percent P   stress: chance to release an owned ticket (default 30)\n"
           "  --seed N              random seed (default: random)\n"
           "  --customers N         mixed: customer names shared by the clients (default 64)\n"
           "  --label NAME          stress/mixed: scenario name in the PASS/FAIL line\n"
           "  --progress STYLE      sellout progress: auto|tty|plain|none (default auto)\n"
           "  --mode MODE           same as the subcommand\n";
}

} // namespace loadgen
