#include <cstring>

#include "plan_settings.hpp"

extern "C" {
#include "optimizer/planner.h"
}

namespace ticketing::backend {

namespace {

struct Setting {
    const char* name;
    const char* value; // as GetConfigOption shows it: integers in their base unit
};

// PostgreSQL's defaults for every setting that changes a plan's shape or cost. Settings
// a major does not have are skipped (GetConfigOption finds nothing).
constexpr Setting planner_defaults[] = {
    {"enable_async_append", "on"},
    {"enable_bitmapscan", "on"},
    {"enable_distinct_reordering", "on"},
    {"enable_gathermerge", "on"},
    {"enable_group_by_reordering", "on"},
    {"enable_hashagg", "on"},
    {"enable_hashjoin", "on"},
    {"enable_incremental_sort", "on"},
    {"enable_indexonlyscan", "on"},
    {"enable_indexscan", "on"},
    {"enable_material", "on"},
    {"enable_memoize", "on"},
    {"enable_mergejoin", "on"},
    {"enable_nestloop", "on"},
    {"enable_parallel_append", "on"},
    {"enable_parallel_hash", "on"},
    {"enable_partition_pruning", "on"},
    {"enable_partitionwise_aggregate", "off"},
    {"enable_partitionwise_join", "off"},
    {"enable_presorted_aggregate", "on"},
    {"enable_self_join_elimination", "on"},
    {"enable_seqscan", "on"},
    {"enable_sort", "on"},
    {"enable_tidscan", "on"},
    {"seq_page_cost", "1"},
    {"random_page_cost", "4"},
    {"cpu_tuple_cost", "0.01"},
    {"cpu_index_tuple_cost", "0.005"},
    {"cpu_operator_cost", "0.0025"},
    {"parallel_setup_cost", "1000"},
    {"parallel_tuple_cost", "0.1"},
    {"min_parallel_table_scan_size", "1024"}, // 8MB in 8kB blocks
    {"min_parallel_index_scan_size", "64"},   // 512kB
    {"effective_cache_size", "524288"},       // 4GB
    {"max_parallel_workers_per_gather", "2"},
    {"work_mem", "4096"}, // 4MB in kB
    {"hash_mem_multiplier", "2"},
    {"constraint_exclusion", "partition"},
    {"cursor_tuple_fraction", "0.1"},
    {"from_collapse_limit", "8"},
    {"join_collapse_limit", "8"},
    {"geqo", "on"},
    {"geqo_threshold", "12"},
    {"recursive_worktable_factor", "10"},
    // Not a default: these statements are far too cheap to gain from JIT compilation.
    {"jit", "off"},
};

// An ordered walk of the index (the first claimable ticket from a random start, a page
// of the adjacency search) must stay one: a plan that sorts or bitmaps the event's
// unsold tickets reads all of them on every call.
constexpr Setting ordered_walk_settings[] = {
    {"enable_sort", "off"},
    {"enable_incremental_sort", "off"},
    {"enable_bitmapscan", "off"},
    {"enable_seqscan", "off"},
};

constexpr const char any_marker[] = "/*ticketing*/ ";
constexpr const char ordered_marker[] = "/*ticketing:ordered*/ ";
constexpr std::size_t marker_prefix_length = sizeof("/*ticketing") - 1;

planner_hook_type previous_planner = nullptr;

// Sets `setting` for the current GUC nest level unless it already has that value.
void pin(const Setting& setting) {
    const char* current = GetConfigOption(setting.name, true, false);
    if (current == nullptr || std::strcmp(current, setting.value) == 0) {
        return;
    }
    (void)set_config_option(setting.name, setting.value, PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_SAVE, true, 0, false);
}

PlannedStmt* plan_next(Query* parse, const char* query_string, int cursor_options,
                       ParamListInfo bound_params) {
    return previous_planner != nullptr
               ? previous_planner(parse, query_string, cursor_options, bound_params)
               : standard_planner(parse, query_string, cursor_options, bound_params);
}

// The planner hook. A C callback: it holds nothing with a destructor, so an ERROR in the
// planner may longjmp through it; the transaction's (or subtransaction's) abort then pops
// the nest level.
PlannedStmt* plan_with_defaults(Query* parse, const char* query_string, int cursor_options,
                                ParamListInfo bound_params) {
    if (query_string == nullptr ||
        std::strncmp(query_string, any_marker, marker_prefix_length) != 0) {
        return plan_next(parse, query_string, cursor_options, bound_params);
    }
    const int nest_level = NewGUCNestLevel();
    for (const Setting& setting : planner_defaults) {
        pin(setting);
    }
    if (std::strncmp(query_string, ordered_marker, sizeof(ordered_marker) - 1) == 0) {
        for (const Setting& setting : ordered_walk_settings) {
            pin(setting);
        }
    }
    PlannedStmt* plan = plan_next(parse, query_string, cursor_options, bound_params);
    AtEOXact_GUC(true, nest_level);
    return plan;
}

} // namespace

void install_planner_hook() {
    previous_planner = planner_hook;
    planner_hook = plan_with_defaults;
}

const char* plan_marker(PlanShape shape) {
    return shape == PlanShape::ordered_walk ? ordered_marker : any_marker;
}

} // namespace ticketing::backend
