#include "catalog_names.hpp"

namespace ticketing::backend {

Oid require_table(Oid schema, const char* name) {
    const Oid relid = get_relname_relid(name, schema);
    if (relid == InvalidOid) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("ticketing: table ticketing.%s is missing", name),
                        errhint("Is the extension installed in this database?")));
    }
    return relid;
}

AttrNumber require_column(Oid relid, const char* name) {
    const AttrNumber number = get_attnum(relid, name);
    if (number == InvalidAttrNumber) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("ticketing: column \"%s\" is missing", name)));
    }
    return number;
}

} // namespace ticketing::backend
