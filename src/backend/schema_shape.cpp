#include "schema_shape.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "nodes/makefuncs.h"
#include "nodes/primnodes.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/syscache.h"
}

namespace ticketing::backend {

namespace {

const int sqlstate_table_altered = MAKE_SQLSTATE('T', 'K', '0', '0', '2');

// A column the C++ code reads or writes, and the type it decodes it as. Text columns may
// also be varchar (with or without a length) or a domain over either: the statements
// coerce to them, so a length limit or a domain constraint a DBA adds is enforced as for
// any UPDATE or INSERT. Every other type must match exactly (domains over it allowed).
struct ColumnSpec {
    const char* name;
    Oid type;
};

struct TableSpec {
    const char* name;
    const ColumnSpec* columns;
    int column_count;
};

constexpr ColumnSpec events_columns[] = {{"event_id", INT8OID}, {"per_customer_limit", INT4OID}};
constexpr ColumnSpec tickets_columns[] = {
    {"event_id", INT8OID},         {"ticket_id", INT8OID}, {"seat", TEXTOID},
    {"status", TEXTOID},           {"owner", TEXTOID},     {"hold_expires_at", TIMESTAMPTZOID},
    {"updated_at", TIMESTAMPTZOID}};
constexpr ColumnSpec audit_log_columns[] = {{"event_id", INT8OID},    {"ticket_id", INT8OID},
                                            {"from_status", TEXTOID}, {"to_status", TEXTOID},
                                            {"customer", TEXTOID},    {"at", TIMESTAMPTZOID}};
constexpr ColumnSpec idempotency_keys_columns[] = {
    {"customer", TEXTOID},    {"idempotency_key", TEXTOID},  {"event_id", INT8OID},
    {"fingerprint", TEXTOID}, {"outcome", TEXTOID},          {"ticket_ids", INT8ARRAYOID},
    {"seats", TEXTARRAYOID},  {"at", TIMESTAMPTZOID},        {"hold_expires_at", TIMESTAMPTZOID},
    {"remaining", INT8OID},   {"created_at", TIMESTAMPTZOID}};
constexpr ColumnSpec customer_slots_columns[] = {
    {"event_id", INT8OID}, {"customer", TEXTOID}, {"touched_at", TIMESTAMPTZOID}};
// 1.3: quotas (their stripes and categories are read and written only by statements
// that name their columns, which check them at planning) and carts.
constexpr ColumnSpec quotas_columns[] = {
    {"event_id", INT8OID}, {"quota_id", INT8OID}, {"name", TEXTOID}, {"size", INT4OID}};
constexpr ColumnSpec carts_columns[] = {
    {"event_id", INT8OID},         {"cart_id", INT8OID}, {"token_hash", BYTEAOID},
    {"customer", TEXTOID},         {"status", TEXTOID},  {"created_at", TIMESTAMPTZOID},
    {"expires_at", TIMESTAMPTZOID}};

// 1.3, check-in: the codes' secret and the admissions' trail (read and written by
// statements that name their columns; the secret is also read directly).
constexpr ColumnSpec code_secret_columns[] = {{"secret", BYTEAOID}, {"created_at", TIMESTAMPTZOID}};
constexpr ColumnSpec admissions_columns[] = {{"event_id", INT8OID},
                                             {"ticket_id", INT8OID},
                                             {"customer", TEXTOID},
                                             {"gate", TEXTOID},
                                             {"admitted_at", TIMESTAMPTZOID},
                                             {"previous_gate", TEXTOID},
                                             {"previous_admitted_at", TIMESTAMPTZOID}};

template <int N>
constexpr TableSpec table_spec(const char* name, const ColumnSpec (&columns)[N]) {
    return TableSpec{name, columns, N};
}

constexpr int table_count = 9;
constexpr TableSpec specs[table_count] = {table_spec("events", events_columns),
                                          table_spec("tickets", tickets_columns),
                                          table_spec("audit_log", audit_log_columns),
                                          table_spec("idempotency_keys", idempotency_keys_columns),
                                          table_spec("customer_slots", customer_slots_columns),
                                          table_spec("quotas", quotas_columns),
                                          table_spec("carts", carts_columns),
                                          table_spec("code_secret", code_secret_columns),
                                          table_spec("admissions", admissions_columns)};

// tickets is locked ROW EXCLUSIVE by every call (see schema_shape.hpp), the rest ACCESS
// SHARE.
LOCKMODE lock_mode_of(const TableSpec& spec) {
    return &spec == &specs[1] ? RowExclusiveLock : AccessShareLock;
}

constexpr int index_of(OwnTable table) {
    return static_cast<int>(table);
}

struct Cache {
    bool checked[table_count]; // the table's shape was checked since the last change
    Oid relid[table_count];
    bool core_valid;
    Layout layout;
    bool row_security[2]; // relrowsecurity of events, tickets
    bool keys_per_event;  // idempotency_keys' primary key includes event_id (1.2)
};

Cache cache{};

// Whether the current user may read tickets and events directly, kept per user until a
// grant (a relcache change of either table) or a role change (the role syscaches) may
// have changed the answer. Not kept when row security is on: that answer also depends
// on settings of the session.
struct ReadAccess {
    bool valid;
    Oid user;
    bool direct;
};
ReadAccess read_access{};

void reset_read_access(Datum, int, uint32) {
    read_access.valid = false;
}
// Bumped by every relcache callback that concerns us: a load that saw it move starts
// over, so it never keeps a layout checked against a table that changed meanwhile.
unsigned long generation = 0;

void reset_cache(Datum, Oid relid) {
    bool ours = relid == InvalidOid;
    for (int i = 0; i < table_count && !ours; ++i) {
        ours = cache.relid[i] == relid;
    }
    if (ours) {
        read_access.valid = false;
        for (bool& checked : cache.checked) {
            checked = false;
        }
        cache.core_valid = false;
        ++generation;
    }
}

[[noreturn]] void altered(const char* message, const char* hint) {
    ereport(ERROR, (errcode(sqlstate_table_altered), errmsg("ticketing: %s", message),
                    errhint("%s", hint)));
    pg_unreachable();
}

bool type_fits(Oid declared, Oid wanted) {
    const Oid base = getBaseType(declared);
    if (wanted == TEXTOID) {
        return base == TEXTOID || base == VARCHAROID;
    }
    return base == wanted;
}

// Looks the table up, locks it (AccessShareLock, kept to the end of the transaction)
// and checks its kind and columns. Returns its relation id.
Oid lock_and_check(const TableSpec& spec) {
    RangeVar* name = makeRangeVar(const_cast<char*>("ticketing"), const_cast<char*>(spec.name), -1);
    const Oid relid = RangeVarGetRelid(name, lock_mode_of(spec), true);
    if (relid == InvalidOid) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("ticketing: table ticketing.%s is missing", spec.name),
                        errhint("Is the extension installed in this database?")));
    }
    if (get_rel_relkind(relid) != RELKIND_RELATION) {
        altered(psprintf("ticketing.%s is no longer a plain table", spec.name),
                "The extension reads and writes it as the table its script created; "
                "reinstall the extension or restore the table.");
    }
    for (int i = 0; i < spec.column_count; ++i) {
        const ColumnSpec& column = spec.columns[i];
        const AttrNumber attnum = get_attnum(relid, column.name);
        if (attnum == InvalidAttrNumber) {
            altered(psprintf("column ticketing.%s.%s is missing", spec.name, column.name),
                    psprintf("Add it back as the extension made it: ALTER TABLE ticketing.%s ADD "
                             "COLUMN %s %s.",
                             spec.name, column.name, format_type_be(column.type)));
        }
        const Oid declared = get_atttype(relid, attnum);
        if (!type_fits(declared, column.type)) {
            altered(psprintf("column ticketing.%s.%s has type %s; the extension needs %s",
                             spec.name, column.name, format_type_be(declared),
                             format_type_be(column.type)),
                    psprintf("Change it back: ALTER TABLE ticketing.%s ALTER COLUMN %s TYPE %s.",
                             spec.name, column.name, format_type_be(column.type)));
        }
    }
    return relid;
}

AttrNumber column(Oid relid, const char* name) {
    return get_attnum(relid, name); // checked by lock_and_check
}

// A column 1.3 added: InvalidAttrNumber when the schema predates it (the library serves
// an older schema until ALTER EXTENSION ticketing UPDATE), TK002 when it has another type.
AttrNumber optional_column(Oid relid, const char* name, Oid type) {
    const AttrNumber attnum = get_attnum(relid, name);
    if (attnum != InvalidAttrNumber && !type_fits(get_atttype(relid, attnum), type)) {
        altered(psprintf("column ticketing.%s.%s has type %s; the extension needs %s",
                         get_rel_name(relid), name, format_type_be(get_atttype(relid, attnum)),
                         format_type_be(type)),
                psprintf("Change it back: ALTER TABLE ticketing.%s ALTER COLUMN %s TYPE %s.",
                         get_rel_name(relid), name, format_type_be(type)));
    }
    return attnum;
}

// The primary key of a table the first looks probe by position: a B-tree on exactly
// `key_columns`, in that order.
Oid primary_key(Oid relid, const char* table, std::initializer_list<const char*> key_columns,
                const char* key_text, const char* hint = nullptr) {
    Relation relation = table_open(relid, NoLock);
    const Oid key = primary_key_index(relation);
    table_close(relation, NoLock);
    bool as_made = key != InvalidOid;
    if (as_made) {
        Relation index = index_open(key, AccessShareLock);
        const Form_pg_index form = index->rd_index;
        as_made = index->rd_rel->relam == BTREE_AM_OID &&
                  form->indnkeyatts == static_cast<int>(key_columns.size()) &&
                  RelationGetIndexExpressions(index) == NIL;
        int position = 0;
        for (const char* name : key_columns) {
            as_made = as_made && form->indkey.values[position++] == column(relid, name);
        }
        index_close(index, NoLock);
    }
    if (!as_made) {
        altered(psprintf("the primary key of ticketing.%s must be %s", table, key_text),
                hint != nullptr
                    ? hint
                    : psprintf("Restore the extension's own primary key: ALTER TABLE ticketing.%s "
                               "ADD PRIMARY KEY %s.",
                               table, key_text));
    }
    return key;
}

// Whether `predicate` (an index's, in implicit-AND form) is exactly `status <> 'sold'`.
bool is_unsold_predicate(List* predicate, AttrNumber status) {
    if (list_length(predicate) != 1 || !IsA(linitial(predicate), OpExpr)) {
        return false;
    }
    const OpExpr* comparison = static_cast<const OpExpr*>(linitial(predicate));
    if (get_opcode(comparison->opno) != F_TEXTNE || list_length(comparison->args) != 2 ||
        !IsA(linitial(comparison->args), Var) || !IsA(lsecond(comparison->args), Const)) {
        return false;
    }
    const Var* status_column = static_cast<const Var*>(linitial(comparison->args));
    const Const* value = static_cast<const Const*>(lsecond(comparison->args));
    if (status_column->varattno != status || value->consttype != TEXTOID || value->constisnull) {
        return false;
    }
    const char* sold = TextDatumGetCString(value->constvalue);
    return std::strcmp(sold, "sold") == 0;
}

// tickets_claimable_idx, if it is still the index the extension created: a B-tree on
// (event_id, ticket_id) WHERE status <> 'sold'. claim_any's lock-free walk, and its
// "nothing unsold" answer, rest on exactly that; anything else (dropped, or redefined by
// hand) leaves claim_any to its statements, which do not depend on the index.
Oid trusted_unsold_index(const TicketsLayout& tickets) {
    const Oid schema = get_rel_namespace(tickets.relid);
    const Oid index_id = get_relname_relid("tickets_claimable_idx", schema);
    if (index_id == InvalidOid) {
        return InvalidOid;
    }
    Relation index = index_open(index_id, AccessShareLock);
    const Form_pg_index form = index->rd_index;
    const bool trusted =
        index->rd_rel->relam == BTREE_AM_OID && form->indrelid == tickets.relid &&
        form->indisvalid && form->indnkeyatts == 2 && form->indkey.values[0] == tickets.event_id &&
        form->indkey.values[1] == tickets.ticket_id && RelationGetIndexExpressions(index) == NIL &&
        is_unsold_predicate(RelationGetIndexPredicate(index), tickets.status);
    index_close(index, NoLock);
    return trusted ? index_id : InvalidOid;
}

// The primary key of idempotency_keys: (event_id, customer, idempotency_key) from 1.2 on,
// (customer, idempotency_key) in a 1.1 schema. True for the first.
bool check_key_scope(Oid relid) {
    Relation relation = table_open(relid, NoLock);
    const Oid key = primary_key_index(relation);
    table_close(relation, NoLock);
    int natts = 0;
    AttrNumber first = InvalidAttrNumber;
    if (key != InvalidOid) {
        Relation index = index_open(key, AccessShareLock);
        natts = index->rd_index->indnkeyatts;
        first = index->rd_index->indkey.values[0];
        index_close(index, NoLock);
    }
    if (natts == 3 && first == column(relid, "event_id")) {
        primary_key(relid, "idempotency_keys", {"event_id", "customer", "idempotency_key"},
                    "(event_id, customer, idempotency_key)");
        return true;
    }
    primary_key(relid, "idempotency_keys", {"customer", "idempotency_key"},
                "(event_id, customer, idempotency_key)",
                "Restore it: ALTER TABLE ticketing.idempotency_keys ADD PRIMARY KEY (event_id, "
                "customer, idempotency_key).");
    return false;
}

bool has_row_security(Oid relid) {
    Relation relation = table_open(relid, NoLock);
    const bool enabled = relation->rd_rel->relrowsecurity;
    table_close(relation, NoLock);
    return enabled;
}

void load_core_layout() {
    const Oid events = lock_and_check(specs[index_of(OwnTable::events)]);
    const Oid tickets = lock_and_check(specs[index_of(OwnTable::tickets)]);
    const Oid audit_log = lock_and_check(specs[index_of(OwnTable::audit_log)]);
    Layout layout{};
    layout.events = EventsLayout{events,
                                 primary_key(events, "events", {"event_id"}, "(event_id)"),
                                 column(events, "event_id"),
                                 column(events, "per_customer_limit"),
                                 optional_column(events, "quota_count", INT4OID),
                                 optional_column(events, "waitlist_open", BOOLOID)};
    TicketsLayout& t = layout.tickets;
    t.relid = tickets;
    t.primary_key =
        primary_key(tickets, "tickets", {"event_id", "ticket_id"}, "(event_id, ticket_id)");
    t.event_id = column(tickets, "event_id");
    t.ticket_id = column(tickets, "ticket_id");
    t.seat = column(tickets, "seat");
    t.status = column(tickets, "status");
    t.owner = column(tickets, "owner");
    t.hold_expires_at = column(tickets, "hold_expires_at");
    t.updated_at = column(tickets, "updated_at");
    t.category = optional_column(tickets, "category", TEXTOID);
    t.admitted_at = optional_column(tickets, "admitted_at", TIMESTAMPTZOID);
    t.admitted_gate = optional_column(tickets, "admitted_gate", TEXTOID);
    if ((t.admitted_at == InvalidAttrNumber) != (t.admitted_gate == InvalidAttrNumber)) {
        altered("ticketing.tickets has only one of the columns admitted_at and admitted_gate",
                "Restore the other as the extension made it: admitted_at timestamptz, "
                "admitted_gate text.");
    }
    t.unsold_index = trusted_unsold_index(t);
    cache.relid[index_of(OwnTable::events)] = events;
    cache.relid[index_of(OwnTable::tickets)] = tickets;
    cache.relid[index_of(OwnTable::audit_log)] = audit_log;
    cache.row_security[0] = has_row_security(events);
    cache.row_security[1] = has_row_security(tickets);
    cache.layout = layout;
}

// Whether the current user reads `relid` exactly as a statement would without the
// executor: SELECT is granted and no row security policy applies.
bool readable_directly(Oid relid, bool row_security) {
    if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK) {
        return false;
    }
    return !row_security || check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
}

} // namespace

const Layout& lock_core_tables() {
    for (;;) {
        const unsigned long seen = generation;
        if (cache.core_valid) {
            // Locking may deliver news of a change, which clears core_valid.
            for (OwnTable table : {OwnTable::events, OwnTable::tickets, OwnTable::audit_log}) {
                LockRelationOid(cache.relid[index_of(table)], lock_mode_of(specs[index_of(table)]));
            }
        } else {
            load_core_layout();
        }
        if (generation == seen) {
            cache.core_valid = true;
            for (OwnTable table : {OwnTable::events, OwnTable::tickets, OwnTable::audit_log}) {
                cache.checked[index_of(table)] = true;
            }
            break;
        }
    }
    Layout& layout = cache.layout;
    const Oid user = GetUserId();
    if (!read_access.valid || read_access.user != user) {
        const bool direct = readable_directly(layout.events.relid, cache.row_security[0]) &&
                            readable_directly(layout.tickets.relid, cache.row_security[1]);
        const bool row_security = cache.row_security[0] || cache.row_security[1];
        read_access = ReadAccess{!row_security, user, direct};
        layout.direct_reads = direct;
    } else {
        layout.direct_reads = read_access.direct;
    }
    return layout;
}

void lock_table(OwnTable table) {
    const int i = index_of(table);
    for (;;) {
        const unsigned long seen = generation;
        if (cache.checked[i]) {
            LockRelationOid(cache.relid[i], AccessShareLock);
        } else {
            cache.relid[i] = lock_and_check(specs[i]);
            if (table == OwnTable::idempotency_keys) {
                cache.keys_per_event = check_key_scope(cache.relid[i]);
            }
        }
        if (generation == seen) {
            cache.checked[i] = true;
            return;
        }
    }
}

Oid locked_table_relid(OwnTable table) {
    return cache.relid[index_of(table)];
}

bool keys_scoped_per_event() {
    return cache.keys_per_event;
}

const Layout& core_layout() {
    return cache.layout;
}

void unknown_status(std::int64_t event_id, std::int64_t ticket_id) {
    ereport(ERROR,
            (errcode(sqlstate_table_altered),
             errmsg("ticketing: ticket %lld of event %lld has a status other than available, "
                    "held or sold",
                    static_cast<long long>(ticket_id), static_cast<long long>(event_id)),
             errhint("Set it to one of those and restore the CHECK constraint on "
                     "ticketing.tickets.status that the extension created.")));
    pg_unreachable();
}

void register_schema_shape_reset() {
    CacheRegisterRelcacheCallback(reset_cache, 0);
    CacheRegisterSyscacheCallback(AUTHOID, reset_read_access, 0);
    CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, reset_read_access, 0);
}

} // namespace ticketing::backend
