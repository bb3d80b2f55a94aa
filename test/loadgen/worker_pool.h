// A pool of client threads, each with its own connection, started together and stopped with a
// bounded wait (in-flight queries are cancelled if a worker does not stop in time).
#pragma once

#include "pg.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loadgen {

class WorkerPool;

// What a worker body sees: its index, its connection and the stop flag.
class WorkerContext {
  public:
    int index() const { return index_; }
    Connection& connection() { return conn_; }
    // Reports that setup succeeded and blocks until all workers are ready. Returns false if the
    // run was aborted because another worker failed; the body should return at once.
    bool ready();
    // Reports that setup failed; the body should return afterwards.
    void fail(const std::string& error);
    bool stop_requested() const;

  private:
    friend class WorkerPool;
    WorkerContext(WorkerPool& pool, int index, Connection& conn)
        : pool_(pool), index_(index), conn_(conn) {}

    WorkerPool& pool_;
    int index_;
    Connection& conn_;
    bool reported_ = false;
};

class WorkerPool {
  public:
    using Body = std::function<void(WorkerContext&)>;

    explicit WorkerPool(std::string conninfo) : conninfo_(std::move(conninfo)) {}
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Starts `count` workers. Each connects and runs `body`, which must call ready() once set
    // up. Returns true when all are running; false if any failed (see errors(); all joined).
    bool start(int count, Body body);
    std::chrono::steady_clock::time_point started_at() const { return started_at_; }

    void request_stop() { stop_.store(true); }
    bool stop_requested() const { return stop_.load(); }
    int running() const;

    // Waits up to `grace` for the workers to return, then cancels the in-flight query of each
    // one still running and waits `grace` again. Returns false if some never returned (those
    // threads are detached; the caller should exit the process).
    bool join(std::chrono::milliseconds grace);

    const std::vector<std::string>& errors() const { return errors_; }

  private:
    friend class WorkerContext;
    enum class Gate { Closed, Open, Aborted };
    struct Slot {
        CancelHandle cancel;
        bool finished = false;
    };

    void run_worker(int index);
    bool on_ready();
    void on_failure(const std::string& error);
    void on_finished(int index);
    bool wait_finished(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout);

    const std::string conninfo_;
    Body body_;
    std::atomic<bool> stop_{false};
    std::chrono::steady_clock::time_point started_at_{};

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Slot> slots_;
    std::vector<std::thread> threads_;
    std::vector<std::string> errors_;
    Gate gate_ = Gate::Closed;
    int ready_ = 0;
    int failed_ = 0;
    int finished_ = 0;
};

// The start-run-stop sequence every mode shares.
// Starts the workers; prints the reasons and returns false if any could not start.
bool start_or_report(WorkerPool& pool, int count, WorkerPool::Body body);
// Sleeps until `run_time` after the start, a signal, or every worker has returned.
void run_for(const WorkerPool& pool, std::chrono::duration<double> run_time);
// Stops the workers; if some never return, says so and ends the process (exit 1).
void stop_or_exit(WorkerPool& pool, std::chrono::milliseconds grace);

} // namespace loadgen
