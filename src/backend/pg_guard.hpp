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
// CurrentMemoryContext, copies the error and throws PgError.
template <typename Call>
void pg_call(Call&& call) {
    sigjmp_buf* const saved_exception_stack = PG_exception_stack;
    ErrorContextCallback* const saved_context_stack = error_context_stack;
    const MemoryContext caller_context = CurrentMemoryContext;
    sigjmp_buf local_jump;
    if (sigsetjmp(local_jump, 0) == 0) {
        PG_exception_stack = &local_jump;
        call();
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

int sqlstate_for(ErrorKind kind);

// Runs `body` and turns any C++ exception into ereport(ERROR) after the catch block.
template <typename Body>
void run_guarded(Body&& body) {
    ErrorData* pg_error = nullptr;
    int sqlstate = ERRCODE_INTERNAL_ERROR;
    char* message = nullptr;
    char* hint = nullptr;
    try {
        body();
        return;
    } catch (const PgError& error) {
        pg_error = error.data();
    } catch (const DomainError& error) {
        sqlstate = sqlstate_for(error.kind());
        message = pstrdup(error.what());
        hint = error.hint().empty() ? nullptr : pstrdup(error.hint().c_str());
    } catch (const std::bad_alloc&) {
        sqlstate = ERRCODE_OUT_OF_MEMORY;
        message = pstrdup("out of memory in ticketing");
    } catch (const std::exception& error) {
        message = pstrdup(error.what());
    } catch (...) {
        message = pstrdup("unexpected C++ exception in ticketing");
    }
    if (pg_error != nullptr) {
        ReThrowError(pg_error);
    }
    ereport(ERROR, (errcode(sqlstate), errmsg("%s", message), hint ? errhint("%s", hint) : 0));
}

} // namespace ticketing::backend
