#include "worker_pool.h"

#include "signals.h"

#include <cstdlib>
#include <exception>
#include <iostream>

namespace loadgen {

bool WorkerContext::ready() {
    reported_ = true;
    return pool_.on_ready();
}

void WorkerContext::fail(const std::string& error) {
    reported_ = true;
    pool_.on_failure("client " + std::to_string(index_) + ": " + error);
}

bool WorkerContext::stop_requested() const {
    return pool_.stop_requested();
}

WorkerPool::~WorkerPool() {
    if (!threads_.empty()) {
        request_stop();
        join(std::chrono::seconds(5));
    }
}

bool WorkerPool::start(int count, Body body) {
    body_ = std::move(body);
    slots_.resize(static_cast<std::size_t>(count));
    threads_.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        threads_.emplace_back(&WorkerPool::run_worker, this, i);
    }

    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return ready_ + failed_ == count; });
    if (failed_ > 0) {
        gate_ = Gate::Aborted;
        changed_.notify_all();
        lock.unlock();
        request_stop();
        join(std::chrono::seconds(5));
        return false;
    }
    gate_ = Gate::Open;
    started_at_ = std::chrono::steady_clock::now();
    changed_.notify_all();
    return true;
}

int WorkerPool::running() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(threads_.size()) - finished_;
}

bool WorkerPool::wait_finished(std::unique_lock<std::mutex>& lock,
                               std::chrono::milliseconds timeout) {
    return changed_.wait_for(lock, timeout,
                             [&] { return finished_ == static_cast<int>(threads_.size()); });
}

bool WorkerPool::join(std::chrono::milliseconds grace) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!wait_finished(lock, grace)) {
        for (const Slot& slot : slots_) {
            if (!slot.finished) {
                slot.cancel.send();
            }
        }
        wait_finished(lock, grace);
    }
    const bool all_finished = finished_ == static_cast<int>(threads_.size());
    std::vector<bool> finished;
    for (const Slot& slot : slots_) {
        finished.push_back(slot.finished);
    }
    lock.unlock();

    for (std::size_t i = 0; i < threads_.size(); ++i) {
        if (finished[i]) {
            threads_[i].join();
        } else {
            threads_[i].detach();
        }
    }
    threads_.clear();
    return all_finished;
}

void WorkerPool::run_worker(int index) {
    std::string error;
    Connection conn = Connection::open(conninfo_, &error);
    if (!conn.is_open()) {
        on_failure("client " + std::to_string(index) + ": connect: " + error);
        on_finished(index);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        slots_[static_cast<std::size_t>(index)].cancel = CancelHandle(conn);
    }
    WorkerContext context(*this, index, conn);
    try {
        body_(context);
        if (!context.reported_) {
            context.fail("worker returned before it was ready");
        }
    } catch (const std::exception& e) {
        if (!context.reported_) {
            context.fail(e.what());
        } else {
            std::lock_guard<std::mutex> lock(mutex_);
            errors_.push_back("client " + std::to_string(index) + ": " + e.what());
        }
    }
    on_finished(index);
}

bool WorkerPool::on_ready() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++ready_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return gate_ != Gate::Closed; });
    return gate_ == Gate::Open;
}

void WorkerPool::on_failure(const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++failed_;
    errors_.push_back(error);
    changed_.notify_all();
}

void WorkerPool::on_finished(int index) {
    std::lock_guard<std::mutex> lock(mutex_);
    slots_[static_cast<std::size_t>(index)].finished = true;
    ++finished_;
    changed_.notify_all();
}

bool start_or_report(WorkerPool& pool, int count, WorkerPool::Body body) {
    if (pool.start(count, std::move(body))) {
        return true;
    }
    for (const std::string& message : pool.errors()) {
        std::cerr << "error: " << message << "\n";
    }
    return false;
}

void run_for(const WorkerPool& pool, std::chrono::duration<double> run_time) {
    const auto deadline = pool.started_at() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(run_time);
    while (std::chrono::steady_clock::now() < deadline && !interrupted() && pool.running() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void stop_or_exit(WorkerPool& pool, std::chrono::milliseconds grace) {
    pool.request_stop();
    if (!pool.join(grace)) {
        std::cerr << "FAIL: " << pool.running() << " clients did not stop; giving up\n";
        std::cerr.flush();
        std::_Exit(1);
    }
}
} // namespace loadgen
