#include "pg.h"

#include <cstdlib>
#include <utility>

namespace loadgen {

namespace {

constexpr const char* kDefaultConnectTimeout = "10"; // seconds

std::string trim_message(const char* msg) {
    std::string text = msg ? msg : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

} // namespace

Result::~Result() {
    if (res_) {
        PQclear(res_);
    }
}

Result::Result(Result&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}

Result& Result::operator=(Result&& other) noexcept {
    if (this != &other) {
        if (res_) {
            PQclear(res_);
        }
        res_ = std::exchange(other.res_, nullptr);
    }
    return *this;
}

bool Result::ok() const {
    if (!res_) {
        return false;
    }
    const ExecStatusType status = PQresultStatus(res_);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string Result::sqlstate() const {
    if (!res_) {
        return "";
    }
    const char* state = PQresultErrorField(res_, PG_DIAG_SQLSTATE);
    return state ? state : "";
}

std::string Result::error_message() const {
    if (!res_) {
        return "no result (out of memory or connection lost)";
    }
    if (const char* primary = PQresultErrorField(res_, PG_DIAG_MESSAGE_PRIMARY)) {
        return primary;
    }
    return trim_message(PQresultErrorMessage(res_));
}

int Result::rows() const {
    return res_ ? PQntuples(res_) : 0;
}

bool Result::is_null(int row, int col) const {
    return PQgetisnull(res_, row, col) != 0;
}

std::string Result::text(int row, int col) const {
    return is_null(row, col) ? std::string() : std::string(PQgetvalue(res_, row, col));
}

std::int64_t Result::int64(int row, int col) const {
    return is_null(row, col) ? 0 : std::strtoll(PQgetvalue(res_, row, col), nullptr, 10);
}

Connection::~Connection() {
    if (conn_) {
        PQfinish(conn_);
    }
}

Connection::Connection(Connection&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        if (conn_) {
            PQfinish(conn_);
        }
        conn_ = std::exchange(other.conn_, nullptr);
    }
    return *this;
}

Connection Connection::open(const std::string& conninfo, std::string* error) {
    // expand_dbname=1 lets `conninfo` be a full connection string or URI; empty values fall
    // back to the PG* environment variables. Parameters in `conninfo` override the ones before
    // it, so the default connect timeout applies only if neither it nor PGCONNECT_TIMEOUT
    // sets one.
    const char* timeout = std::getenv("PGCONNECT_TIMEOUT") ? "" : kDefaultConnectTimeout;
    const char* keywords[] = {"connect_timeout", "dbname", "fallback_application_name", nullptr};
    const char* values[] = {timeout, conninfo.c_str(), "ticketing-load", nullptr};
    PGconn* conn = PQconnectdbParams(keywords, values, 1);
    if (!conn) {
        *error = "out of memory allocating a connection";
        return Connection();
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        *error = trim_message(PQerrorMessage(conn));
        PQfinish(conn);
        return Connection();
    }
    return Connection(conn);
}

bool Connection::is_broken() const {
    return !conn_ || PQstatus(conn_) != CONNECTION_OK;
}

bool Connection::prepare(const char* name, const char* sql, int param_count, std::string* error) {
    Result res(PQprepare(conn_, name, sql, param_count, nullptr));
    if (!res.ok()) {
        *error = std::string("preparing ") + name + ": " + res.error_message();
        return false;
    }
    return true;
}

Result Connection::exec_prepared(const char* name, const char* const* values, int count) {
    return Result(PQexecPrepared(conn_, name, count, values, nullptr, nullptr, 0));
}

Result Connection::exec(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& param : params) {
        values.push_back(param.c_str());
    }
    return Result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
}

CancelHandle::CancelHandle(Connection& conn) : cancel_(PQgetCancel(conn.raw())) {}

CancelHandle::~CancelHandle() {
    if (cancel_) {
        PQfreeCancel(cancel_);
    }
}

CancelHandle::CancelHandle(CancelHandle&& other) noexcept
    : cancel_(std::exchange(other.cancel_, nullptr)) {}

CancelHandle& CancelHandle::operator=(CancelHandle&& other) noexcept {
    if (this != &other) {
        if (cancel_) {
            PQfreeCancel(cancel_);
        }
        cancel_ = std::exchange(other.cancel_, nullptr);
    }
    return *this;
}

bool CancelHandle::send() const {
    if (!cancel_) {
        return false;
    }
    char errbuf[256];
    return PQcancel(cancel_, errbuf, sizeof errbuf) == 1;
}

} // namespace loadgen
