// Thin RAII wrappers over libpq: connections, results and cancel handles.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

// Owns one PGresult.
class Result {
  public:
    Result() = default;
    explicit Result(PGresult* res) : res_(res) {}
    ~Result();
    Result(Result&& other) noexcept;
    Result& operator=(Result&& other) noexcept;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;

    // True for PGRES_COMMAND_OK and PGRES_TUPLES_OK.
    bool ok() const;
    // SQLSTATE of a failed command; empty if the server sent none.
    std::string sqlstate() const;
    // Primary error message (single line), or libpq's message for client-side failures.
    std::string error_message() const;

    int rows() const;
    bool is_null(int row, int col) const;
    std::string text(int row, int col) const;
    std::int64_t int64(int row, int col) const;

  private:
    PGresult* res_ = nullptr;
};

// Owns one PGconn. Not thread-safe: one connection per thread.
class Connection {
  public:
    Connection() = default;
    ~Connection();
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Connects with `conninfo` (empty: libpq environment variables). On failure returns an
    // unconnected object and stores libpq's message in *error.
    static Connection open(const std::string& conninfo, std::string* error);

    bool is_open() const { return conn_ != nullptr; }
    // True once libpq reports the connection as broken.
    bool is_broken() const;
    PGconn* raw() { return conn_; }

    bool prepare(const char* name, const char* sql, int param_count, std::string* error);
    Result exec_prepared(const char* name, const char* const* values, int count);
    // Runs `sql` with text parameters (unnamed statement, extended protocol).
    Result exec(const std::string& sql, const std::vector<std::string>& params = {});

  private:
    explicit Connection(PGconn* conn) : conn_(conn) {}
    PGconn* conn_ = nullptr;
};

// Owns a PGcancel; send() may be called from any thread.
class CancelHandle {
  public:
    CancelHandle() = default;
    explicit CancelHandle(Connection& conn);
    ~CancelHandle();
    CancelHandle(CancelHandle&& other) noexcept;
    CancelHandle& operator=(CancelHandle&& other) noexcept;
    CancelHandle(const CancelHandle&) = delete;
    CancelHandle& operator=(const CancelHandle&) = delete;

    // Asks the server to cancel the connection's current query. Returns false on failure.
    bool send() const;

  private:
    PGcancel* cancel_ = nullptr;
};

} // namespace loadgen
