// The two guards at the C/C++ boundary, in one place.
//
// run_guarded(): PostgreSQL -> C++. Every SQL entry point runs its C++ body through
// it. It catches every C++ exception, copies what it needs, leaves the catch block and
// only then raises ERROR, so no exception crosses PostgreSQL's C frames and no longjmp
// leaves a catch block.
//
// pg_call(): C++ -> PostgreSQL. Every call from C++ into PostgreSQL that may raise
// ERROR runs through it. It catches the longjmp with its own sigsetjmp, restores the
// error stacks and memory context, and throws PgError, so C++ destructors run. The
// error is never swallowed: run_guarded() re-raises it unchanged (same SQLSTATE,
// message, detail), and the transaction aborts as PostgreSQL expects.
#pragma once

#include "pg.hpp"

#include "../core/domain_error.hpp"

namespace ticketing::backend {

// A PostgreSQL error on its way back to PostgreSQL. Owns no C++ resources: the
// ErrorData lives in the caller's memory context.
class PgError : public std::exception {
  public:
    explicit PgError(ErrorData* data) : data_(data) {}
    ErrorData* data() const noexcept { return data_; }
    const char* what() const noexcept override {
        return data_ && data_->message ? data_->message : "PostgreSQL error";
    }

  private:
    ErrorData* data_;
};

// Runs `call` (a lambda holding no objects with destructors) under a private
// sigsetjmp. On ERROR: restores PG_exception_stack, error_context_stack and
// CurrentMemoryContext, copies the error and throws PgError. A C++ exception thrown
// inside `call` (std::bad_alloc from a container, say) passes through too, after the
// same stacks are restored: PostgreSQL must never see its exception stack pointing into
// a frame that is gone.
template <typename Call>
void pg_call(Call&& call) {
    sigjmp_buf* const saved_exception_stack = PG_exception_stack;
    ErrorContextCallback* const saved_context_stack = error_context_stack;
    const MemoryContext caller_context = CurrentMemoryContext;
    sigjmp_buf local_jump;
    if (sigsetjmp(local_jump, 0) == 0) {
        PG_exception_stack = &local_jump;
        try {
            call();
        } catch (...) {
            PG_exception_stack = saved_exception_stack;
            error_context_stack = saved_context_stack;
            throw; // rethrows the same object: nothing is allocated here
        }
        PG_exception_stack = saved_exception_stack;
        error_context_stack = saved_context_stack;
        return;
    }
    // Here after the longjmp of an ERROR raised inside `call`.
    PG_exception_stack = saved_exception_stack;
    error_context_stack = saved_context_stack;
    MemoryContextSwitchTo(caller_context);
    ErrorData* const error = CopyErrorData();
    FlushErrorState();
    throw PgError(error);
}

// CHECK_FOR_INTERRUPTS() for loops over requests, candidates and rows: a cancel or a
// statement_timeout arrives as an ERROR through pg_call.
inline void check_for_interrupts() {
    pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

int sqlstate_for(ErrorKind kind);

// Room for a message and a hint copied out of a C++ exception. Messages quote at most a
// short prefix of any argument (see quote_argument), so this bounds nothing useful.
constexpr std::size_t guard_text_capacity = 1024;

// Copies `text` into `buffer` without allocating (it runs inside a catch block).
inline void copy_guard_text(char (&buffer)[guard_text_capacity], const char* text) {
    std::size_t n = 0;
    for (; text != nullptr && text[n] != '\0' && n + 1 < guard_text_capacity; ++n) {
        buffer[n] = text[n];
    }
    buffer[n] = '\0';
}

// Runs `body` and turns any C++ exception into ereport(ERROR) after the catch block.
// Nothing in a catch block allocates or can raise: the message is copied into buffers on
// this frame, and the ERROR is raised only once the exception object is gone.
template <typename Body>
void run_guarded(Body&& body) {
    ErrorData* pg_error = nullptr;
    int sqlstate = ERRCODE_INTERNAL_ERROR;
    char message[guard_text_capacity];
    char hint[guard_text_capacity];
    message[0] = '\0';
    hint[0] = '\0';
    try {
        body();
        return;
    } catch (const PgError& error) {
        pg_error = error.data();
    } catch (const DomainError& error) {
        sqlstate = sqlstate_for(error.kind());
        copy_guard_text(message, error.what());
        copy_guard_text(hint, error.hint().c_str());
    } catch (const std::bad_alloc&) {
        sqlstate = ERRCODE_OUT_OF_MEMORY;
        copy_guard_text(message, "out of memory in ticketing");
    } catch (const std::exception& error) {
        copy_guard_text(message, error.what());
    } catch (...) {
        copy_guard_text(message, "unexpected C++ exception in ticketing");
    }
    if (pg_error != nullptr) {
        ReThrowError(pg_error);
    }
    ereport(ERROR, (errcode(sqlstate), errmsg("%s", message), hint[0] ? errhint("%s", hint) : 0));
}

} // namespace ticketing::backend
