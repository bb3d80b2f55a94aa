// Kept plans that do not depend on who planned them. The statements' plans are kept
// for the life of a backend and planned again after DDL or ANALYZE, by whichever call
// happens to run them next. Through a connection pooler that call may come from any
// client, with any session settings (SET enable_indexscan = off, a huge
// random_page_cost). A planner hook therefore plans every statement of the extension
// (recognised by a marker comment at the start of its text) with the planner settings
// at PostgreSQL's defaults, inside a GUC nest level that is popped before the plan is
// returned; the caller's settings are untouched.
#pragma once

#include "statements.hpp"

namespace ticketing::backend {

// Called from _PG_init.
void install_planner_hook();

// The marker comment a statement of shape `shape` begins with.
const char* plan_marker(PlanShape shape);

} // namespace ticketing::backend
